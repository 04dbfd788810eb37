#!/usr/bin/env python3
"""Fills translations/medtraverse_fr.ts from the French glossary below after `update_translations`.

Usage: tools/fill_translations.py translations/medtraverse_fr.ts
Keys are the English source strings exactly as lupdate writes them (unescaped). Strings missing from
the glossary are listed and the script exits 1, so an untranslated UI cannot slip through.
"""
import html
import re
import sys

FR = {
    "About MedTraverse": "À propos de MedTraverse",
    "<h3>MedTraverse %1</h3><p>Language-guided trajectories through a latent diffusion model: steer one finding at a time while the patient's anatomy stays put.</p><p><b>All generated and edited images are synthetic.</b> They are for research, teaching and reader studies, not for diagnosis.</p><p>Built with Qt, LibTorch, OpenCV, DCMTK and QCustomPlot (GPL-3.0).</p>":
        "<h3>MedTraverse %1</h3><p>Trajectoires guidées par le langage dans un modèle de diffusion latente : modifiez une anomalie à la fois pendant que l'anatomie du patient reste en place.</p><p><b>Toutes les images générées ou modifiées sont synthétiques.</b> Elles servent à la recherche, à l'enseignement et aux études de lecture, pas au diagnostic.</p><p>Construit avec Qt, LibTorch, OpenCV, DCMTK et QCustomPlot (GPL-3.0).</p>",
    "MedTraverse": "MedTraverse",
    "No model loaded": "Aucun modèle chargé",
    "Ready": "Prêt",
    "'%1' is not a diffusers model folder (no model_index.json)": "« %1 » n'est pas un dossier de modèle diffusers (model_index.json absent)",
    "Model: %1": "Modèle : %1",
    "Open Model Folder": "Ouvrir un dossier de modèle",
    "No image yet.\nGenerate an image or open a DICOM file to begin.": "Aucune image pour l'instant.\nGénérez une image ou ouvrez un fichier DICOM pour commencer.",
    "(none)": "(aucun)",
    "Model:": "Modèle :",
    "Model and Prompt": "Modèle et invite",
    "Attribute sliders appear here once a model is loaded.": "Les curseurs d'attributs apparaissent ici une fois un modèle chargé.",
    "Attributes": "Attributs",
    "&File": "&Fichier",
    "Open &Model Folder...": "Ouvrir un dossier de &modèle...",
    "Ctrl+Shift+O": "Ctrl+Shift+O",
    "&Quit": "&Quitter",
    "&View": "&Affichage",
    "&Help": "&Aide",
    "&About MedTraverse": "À &propos de MedTraverse",
    "About &Qt": "À propos de &Qt",
}


def main(path):
    text = open(path, encoding="utf-8").read()
    missing = []

    def repl(m):
        source = html.unescape(m.group(1))
        if source not in FR:
            missing.append(source)
            return m.group(0)
        fr = html.escape(FR[source], quote=False).replace("'", "&apos;").replace('"', "&quot;")
        return m.group(0)[: m.start(2) - m.start(0)] + "<translation>" + fr + "</translation>"

    text = re.sub(r"<source>(.*?)</source>(?:\s*<comment>.*?</comment>)?\s*(<translation[^>]*>.*?</translation>|<translation[^>]*/>)",
                  repl, text, flags=re.S)
    open(path, "w", encoding="utf-8").write(text)
    for s in missing:
        print("untranslated:", repr(s))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
