"""Downloads that fail in seconds, with one line that says what to do, when offline.

tfds retries an unreachable host ten times with exponential back-off (about 200 s)
before it fails with a traceback; `reachable_or_raise` asks the hosts first.
"""

import socket
import urllib.parse

from ganzoo.errors import DownloadError

PROBE_TIMEOUT = 5  # seconds per host
DEFAULT_PORTS = {"http": 80, "https": 443}
OFFLINE_DATA = "mnist5k, font_pairs, photo_pairs or digits_typeset (`ganzoo list`)"


def reachable_or_raise(urls, what, where):
    """Raises `DownloadError` unless one of the hosts of `urls` accepts a connection.

    Args:
        urls: the addresses the download will use (their hosts are tried).
        what: the data set's name, for the message.
        where: where the data is looked for once downloaded, for the message.
    """
    addresses = {
        (parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme])
        for parts in map(urllib.parse.urlsplit, urls)
        if parts.scheme in DEFAULT_PORTS and parts.hostname
    }
    error = None
    for host, port in sorted(addresses):
        try:
            socket.create_connection((host, port), timeout=PROBE_TIMEOUT).close()
            return
        except OSError as failure:
            error = f"{host}: {failure}"
    if error is not None:
        raise DownloadError(
            f"cannot download the {what} data set ({error}). It is looked for in {where}: "
            "download it there on a machine with network and copy it here, or train on "
            f"the offline data {OFFLINE_DATA}."
        )
