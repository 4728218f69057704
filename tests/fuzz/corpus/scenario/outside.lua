scenario { name = "x" }
population { file = "../../etc/passwd" }
