"""Many hosts at once: the bundles a fleet run collected (one probe output a host), analysed here in
one process, and the one-page fleet report built from them."""
