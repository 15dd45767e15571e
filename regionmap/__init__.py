"""The regional map (issue 15): offer, organisations, consultation bodies, regional analyses."""
