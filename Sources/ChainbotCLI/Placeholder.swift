// ChainbotCLI
