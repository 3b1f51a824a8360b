"""The exchange between sites, from a store to a bundle file and back.

A bundle's way: export.py reads what a peer lacks (vector.py: what each site holds) into the
bundle format (bundle.py), signed with this site's key (keys.py) and sealed to the receiver's
(sealing.py, trust.py for the keys this site knows); exchange.py writes and reads the files. On
arrival verify.py checks signer, manifest, sequence and each operation; apply.py writes what is
new and merges what is held (the decision is dtlab.domain.merge); conflicts.py keeps what the
merge set aside and the decisions that settle it."""
