scenario { name = "a\0b" }
