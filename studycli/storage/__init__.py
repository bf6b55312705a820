"""Storage: every SQL statement: the store, the review-log codec, frozen migrations, query modules, faults, backups, doctor, config.yaml. Imports only the leaves."""
