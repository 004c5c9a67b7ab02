print("reckit")
