print("chainbot")
