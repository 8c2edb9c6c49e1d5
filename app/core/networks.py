"""Client networks: what rate limits count, since one household or host controls a whole block."""

import ipaddress


def network_of(address: str) -> str:
    """The /24 of an IPv4 address or the /48 of an IPv6 one: what one household or host controls."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
