"""SVG depictions, optionally with highlighted atoms (e.g. atom contributions or a substructure)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from rdkit import Chem
from rdkit.Chem.Draw import rdMolDraw2D

Colour = tuple[float, float, float]
DEFAULT_HIGHLIGHT: Colour = (1.0, 0.75, 0.3)


def to_svg(
    mol: Chem.Mol,
    width: int = 300,
    height: int = 220,
    highlight_atoms: Iterable[int] = (),
    atom_colours: Mapping[int, Colour] | None = None,
    legend: str = "",
) -> str:
    """An SVG string (no XML header) of the 2D structure, with optional atom highlights."""
    if width < 50 or height < 50 or width > 4000 or height > 4000:
        raise ValueError(f"depiction size {width}x{height} px; expected 50..4000 px per side")
    drawing_mol = rdMolDraw2D.PrepareMolForDrawing(Chem.Mol(mol))
    atoms = list(highlight_atoms)
    n = drawing_mol.GetNumAtoms()
    bad = [a for a in atoms if not 0 <= a < n]
    if bad:
        raise ValueError(f"highlight atom indices {bad} out of range 0..{n - 1}")
    colours = dict(atom_colours or {a: DEFAULT_HIGHLIGHT for a in atoms})
    drawer = rdMolDraw2D.MolDraw2DSVG(width, height)
    options = drawer.drawOptions()
    options.clearBackground = False  # type: ignore[assignment]  # stub gap
    options.addStereoAnnotation = True  # type: ignore[assignment]  # stub gap
    drawer.DrawMolecule(
        drawing_mol,
        highlightAtoms=atoms or list(colours),
        highlightAtomColors=colours,
        highlightBonds=[],
        legend=legend,
    )
    drawer.FinishDrawing()
    svg = drawer.GetDrawingText()
    svg = svg[svg.index("<svg") :]
    if legend:  # a <title> lets browsers show the name on hover and screen readers read it
        head_end = svg.index(">") + 1
        svg = f"{svg[:head_end]}\n<title>{html.escape(legend)}</title>{svg[head_end:]}"
    return svg
