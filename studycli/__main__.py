from studycli.entry import main

main()
