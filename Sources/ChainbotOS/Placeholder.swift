// ChainbotOS
