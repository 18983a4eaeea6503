// ChainbotManifest
