from khetrial.cli import main

main()
