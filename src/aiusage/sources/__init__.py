"""Where usage comes from: vendor APIs (``api``), local CLI logs (``logs``), typed-in numbers
(``manual``). ``base`` holds the two source protocols, ``registry`` the lazy lists of each."""
