"""``fhud --selftest``: the checks, the files a bundle must carry, the network watch."""
