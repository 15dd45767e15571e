"""The signal function (signaalfunctie): signals, recognitions, bundles, policy notes, answers."""
