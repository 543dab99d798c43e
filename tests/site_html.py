"""Reading a built page's HTML, shared by the tests of the worksheet and its sections."""

import re
from pathlib import Path


def figure_block(page: str, name: str) -> str:
    """The inside of the ``<figure>`` that places figure ``name`` (it must be there)."""
    block = re.search(rf'<figure class="cg-figure"[^>]*? id="fig-{name}"[^>]*>(.*?)</figure>', page, re.S)
    assert block, f"figure {name} is not on the page"
    return block.group(1)


def site_address(address: str) -> str:
    """An address without its version and fragment (``figures/a.gif?v=1f2e#only-light``:
    a figure's address carries its version and may carry Material's scheme fragment)."""
    return address.split("#", 1)[0].split("?", 1)[0]


def site_file(folder: Path, address: str) -> Path:
    """The file a page in ``folder`` addresses."""
    return folder / site_address(address)
