from backprop_cli.program import main

main()
