"""Reporting: the network's statistics, progress reports (voortgangsrapporten) per region and
period, and the closed space of the coordinators' project group (projectgroep)."""
