// ChainbotTestSupport
