from backprop_cli.cli import main

main()
