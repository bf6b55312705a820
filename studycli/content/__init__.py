"""Content: search paths, YAML reading with line numbers, the schema and validation, loading, the cache. Imports only the leaves and storage (for the cache's SQL)."""
