// ChainbotStore
