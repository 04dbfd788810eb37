<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>mt::ui::AboutDialog</name>
    <message>
        <location filename="../ui/about_dialog.cpp" line="14"/>
        <source>About MedTraverse</source>
        <translation>À propos de MedTraverse</translation>
    </message>
    <message>
        <location filename="../ui/about_dialog.cpp" line="24"/>
        <source>&lt;h3&gt;MedTraverse %1&lt;/h3&gt;&lt;p&gt;Language-guided trajectories through a latent diffusion model: steer one finding at a time while the patient&apos;s anatomy stays put.&lt;/p&gt;&lt;p&gt;&lt;b&gt;All generated and edited images are synthetic.&lt;/b&gt; They are for research, teaching and reader studies, not for diagnosis.&lt;/p&gt;&lt;p&gt;Built with Qt, LibTorch, OpenCV, DCMTK and QCustomPlot (GPL-3.0).&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MedTraverse %1&lt;/h3&gt;&lt;p&gt;Trajectoires guidées par le langage dans un modèle de diffusion latente : modifiez une anomalie à la fois pendant que l&apos;anatomie du patient reste en place.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Toutes les images générées ou modifiées sont synthétiques.&lt;/b&gt; Elles servent à la recherche, à l&apos;enseignement et aux études de lecture, pas au diagnostic.&lt;/p&gt;&lt;p&gt;Construit avec Qt, LibTorch, OpenCV, DCMTK et QCustomPlot (GPL-3.0).&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>mt::ui::MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="24"/>
        <source>MedTraverse</source>
        <translation>MedTraverse</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="35"/>
        <source>No model loaded</source>
        <translation>Aucun modèle chargé</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="36"/>
        <source>Ready</source>
        <translation>Prêt</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="57"/>
        <source>&apos;%1&apos; is not a diffusers model folder (no model_index.json)</source>
        <translation>« %1 » n&apos;est pas un dossier de modèle diffusers (model_index.json absent)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="62"/>
        <source>Model: %1</source>
        <translation>Modèle : %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="68"/>
        <source>Open Model Folder</source>
        <translation>Ouvrir un dossier de modèle</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="84"/>
        <source>No image yet.
Generate an image or open a DICOM file to begin.</source>
        <translation>Aucune image pour l&apos;instant.
Générez une image ou ouvrez un fichier DICOM pour commencer.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="90"/>
        <source>(none)</source>
        <translation>(aucun)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="93"/>
        <source>Model:</source>
        <translation>Modèle :</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="94"/>
        <source>Model and Prompt</source>
        <translation>Modèle et invite</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="102"/>
        <source>Attribute sliders appear here once a model is loaded.</source>
        <translation>Les curseurs d&apos;attributs apparaissent ici une fois un modèle chargé.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="106"/>
        <source>Attributes</source>
        <translation>Attributs</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="115"/>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="116"/>
        <source>Open &amp;Model Folder...</source>
        <translation>Ouvrir un dossier de &amp;modèle...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="117"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="119"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="122"/>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="126"/>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="127"/>
        <source>&amp;About MedTraverse</source>
        <translation>À &amp;propos de MedTraverse</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="128"/>
        <source>About &amp;Qt</source>
        <translation>À propos de &amp;Qt</translation>
    </message>
</context>
</TS>
