<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>QObject</name>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="52"/>
        <source>%1 (chest X-ray)</source>
        <translation>%1 (radiographie thoracique)</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="52"/>
        <source>%1 (dermoscopy)</source>
        <translation>%1 (dermoscopie)</translation>
    </message>
</context>
<context>
    <name>TrajectoryPanel</name>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="34"/>
        <source>Pleural effusion</source>
        <translation>Épanchement pleural</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="35"/>
        <source>Cardiomegaly</source>
        <translation>Cardiomégalie</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="36"/>
        <source>Support devices</source>
        <translation>Dispositifs médicaux</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="37"/>
        <source>Lung opacity</source>
        <translation>Opacité pulmonaire</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="38"/>
        <source>Pneumothorax</source>
        <translation>Pneumothorax</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="39"/>
        <source>Hair</source>
        <translation>Poils</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="40"/>
        <source>Ruler</source>
        <translation>Règle</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="41"/>
        <source>Dark corner</source>
        <translation>Coin sombre</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="42"/>
        <source>Gel bubble</source>
        <translation>Bulle de gel</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="43"/>
        <source>Ink marking</source>
        <translation>Marquage à l&apos;encre</translation>
    </message>
</context>
<context>
    <name>mt::ui::AboutDialog</name>
    <message>
        <location filename="../ui/about_dialog.cpp" line="15"/>
        <source>About MedTraverse</source>
        <translation>À propos de MedTraverse</translation>
    </message>
    <message>
        <location filename="../ui/about_dialog.cpp" line="30"/>
        <source>&lt;h3&gt;MedTraverse %1&lt;/h3&gt;&lt;p&gt;Language-guided trajectories through a latent diffusion model: steer one finding at a time while the patient&apos;s anatomy stays put.&lt;/p&gt;&lt;p&gt;&lt;b&gt;All generated and edited images are synthetic.&lt;/b&gt; They are for research, teaching and reader studies, not for diagnosis.&lt;/p&gt;&lt;p&gt;Built with Qt, LibTorch, OpenCV, DCMTK and QCustomPlot (GPL-3.0).&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MedTraverse %1&lt;/h3&gt;&lt;p&gt;Trajectoires guidées par le langage dans un modèle de diffusion latente : modifiez une anomalie à la fois pendant que l&apos;anatomie du patient reste en place.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Toutes les images générées ou modifiées sont synthétiques.&lt;/b&gt; Elles servent à la recherche, à l&apos;enseignement et aux études de lecture, pas au diagnostic.&lt;/p&gt;&lt;p&gt;Construit avec Qt, LibTorch, OpenCV, DCMTK et QCustomPlot (GPL-3.0).&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>mt::ui::AttributePanel</name>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="45"/>
        <source>No directions loaded</source>
        <translation>Aucune direction chargée</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="48"/>
        <source>Load...</source>
        <translation>Charger...</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="49"/>
        <source>Load a direction file made by medtraverse-cli directions (prompt pairs, PCA, ...)</source>
        <translation>Charger un fichier de directions créé par medtraverse-cli directions (paires de prompts, ACP, ...)</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="51"/>
        <source>Reset all</source>
        <translation>Tout remettre à zéro</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="53"/>
        <source>Every unlocked slider back to 0</source>
        <translation>Tous les curseurs non verrouillés reviennent à 0</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="63"/>
        <source>the first step</source>
        <translation>la première étape</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="63"/>
        <source>%1 % of the steps</source>
        <translation>%1 % des étapes</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="65"/>
        <source>Steps before this point use the plain prompt, as in the paper&apos;s late prompt swap: the first steps fix the anatomy, so a later start keeps more of it</source>
        <translation>Les étapes avant ce point utilisent le prompt seul, comme l&apos;échange tardif de prompt de l&apos;article : les premières étapes fixent l&apos;anatomie, donc un début plus tardif en conserve davantage</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="71"/>
        <source>Sliders act from</source>
        <translation>Les curseurs agissent à partir de</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="81"/>
        <source>Load a direction file to get one slider per finding. The bundled model&apos;s file loads by itself; make others with medtraverse-cli directions prompt-pair or pca.</source>
        <translation>Chargez un fichier de directions pour obtenir un curseur par signe. Celui du modèle fourni se charge tout seul ; créez-en d&apos;autres avec medtraverse-cli directions prompt-pair ou pca.</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="99"/>
        <source>prompt pair</source>
        <translation>paire de prompts</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="100"/>
        <source>text PCA</source>
        <translation>ACP du texte</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="101"/>
        <source>orthogonalised</source>
        <translation>orthogonalisée</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="102"/>
        <source>h-space PCA</source>
        <translation>ACP de l&apos;espace h</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="103"/>
        <source>Jacobian direction</source>
        <translation>direction jacobienne</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="105"/>
        <source>%1 % of variance</source>
        <translation>%1 % de la variance</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="106"/>
        <source>sigma %1</source>
        <translation>sigma %1</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="108"/>
        <source>cleaned of %1</source>
        <translation>nettoyée de %1</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="111"/>
        <source>moves %1 (r = %2)</source>
        <translation>modifie %1 (r = %2)</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="112"/>
        <source>moves %1</source>
        <translation>modifie %1</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="148"/>
        <source>Slider range: the ends move the embedding by this many units of the direction</source>
        <translation>Plage du curseur : les extrémités déplacent l&apos;embedding de ce nombre d&apos;unités de la direction</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="151"/>
        <source>Back to 0</source>
        <translation>Revenir à 0</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="152"/>
        <source>Lock</source>
        <translation>Verrouiller</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="153"/>
        <source>Keep this value: the slider cannot move and Reset all leaves it</source>
        <translation>Garder cette valeur : le curseur ne bouge plus et « Tout remettre à zéro » l&apos;ignore</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="198"/>
        <source>&apos;%1&apos; holds no directions</source>
        <translation>« %1 » ne contient aucune direction</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="205"/>
        <source>%1 (directions: %2)</source>
        <translation>%1 (directions : %2)</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="216"/>
        <source>Load Directions</source>
        <translation>Charger des directions</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="217"/>
        <source>Direction files (*.safetensors);;All files (*)</source>
        <translation>Fichiers de directions (*.safetensors);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <location filename="../ui/attribute_panel.cpp" line="220"/>
        <source>Could not load: %1</source>
        <translation>Chargement impossible : %1</translation>
    </message>
</context>
<context>
    <name>mt::ui::CompareView</name>
    <message>
        <location filename="../ui/compare_view.cpp" line="20"/>
        <source>Neutral (reference)</source>
        <translation>Neutre (référence)</translation>
    </message>
    <message>
        <location filename="../ui/compare_view.cpp" line="20"/>
        <source>Edited</source>
        <translation>Modifiée</translation>
    </message>
    <message>
        <location filename="../ui/compare_view.cpp" line="20"/>
        <source>Difference |edited - neutral|</source>
        <translation>Différence |modifiée - neutre|</translation>
    </message>
    <message>
        <location filename="../ui/compare_view.cpp" line="40"/>
        <source>No reference yet: generate with every slider at 0, or compute a trajectory.</source>
        <translation>Pas encore de référence : générez avec tous les curseurs à 0, ou calculez une trajectoire.</translation>
    </message>
    <message>
        <location filename="../ui/compare_view.cpp" line="70"/>
        <source>No reference image.</source>
        <translation>Pas d&apos;image de référence.</translation>
    </message>
    <message>
        <location filename="../ui/compare_view.cpp" line="70"/>
        <source>The images differ in size: no difference map.</source>
        <translation>Les images n&apos;ont pas la même taille : pas de carte de différence.</translation>
    </message>
    <message>
        <location filename="../ui/compare_view.cpp" line="76"/>
        <source>Mean |difference| %1 gray levels, largest %2; %3 % of the pixels changed by more than 8 (colour scale: 0 black ... 64 levels or more pale yellow)</source>
        <translation>|Différence| moyenne %1 niveaux de gris, maximum %2 ; %3 % des pixels ont changé de plus de 8 (échelle : 0 noir ... 64 niveaux ou plus jaune pâle)</translation>
    </message>
</context>
<context>
    <name>mt::ui::ImageView</name>
    <message>
        <location filename="../ui/image_view.cpp" line="255"/>
        <source>value %1</source>
        <translation>valeur %1</translation>
    </message>
    <message>
        <location filename="../ui/image_view.cpp" line="258"/>
        <source>R %1 G %2 B %3</source>
        <translation>R %1 V %2 B %3</translation>
    </message>
    <message>
        <location filename="../ui/image_view.cpp" line="260"/>
        <source>x %1  y %2</source>
        <translation>x %1  y %2</translation>
    </message>
    <message>
        <location filename="../ui/image_view.cpp" line="277"/>
        <source>Zoom %1 %</source>
        <translation>Zoom %1 %</translation>
    </message>
    <message>
        <location filename="../ui/image_view.cpp" line="279"/>
        <source>W %1  L %2</source>
        <translation>L %1  C %2</translation>
    </message>
</context>
<context>
    <name>mt::ui::MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="116"/>
        <source>MedTraverse</source>
        <translation>MedTraverse</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="133"/>
        <location filename="../ui/main_window.cpp" line="324"/>
        <source>No model loaded</source>
        <translation>Aucun modèle chargé</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="496"/>
        <source>Loading model %1...</source>
        <translation>Chargement du modèle %1...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="514"/>
        <source>Denoising step %1 of %2</source>
        <translation>Étape de débruitage %1 sur %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="526"/>
        <location filename="../ui/main_window.cpp" line="527"/>
        <source>Generation failed</source>
        <translation>Échec de la génération</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="534"/>
        <source>Cancelled</source>
        <translation>Annulé</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="150"/>
        <source>Ready</source>
        <translation>Prêt</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="195"/>
        <source>Model: %1</source>
        <translation>Modèle : %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="217"/>
        <source>Open Model Folder</source>
        <translation>Ouvrir un dossier de modèle</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="270"/>
        <source>Default (chest X-ray, dermoscopy)</source>
        <translation>Par défaut (thorax, dermoscopie)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="271"/>
        <source>The bundled model: 256 px chest X-rays and dermoscopy images
%1</source>
        <translation>Le modèle fourni : radiographies thoraciques et images de dermoscopie de 256 px
%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="279"/>
        <source>%1 (in %2)</source>
        <translation>%1 (dans %2)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="283"/>
        <source>Other folder...</source>
        <translation>Autre dossier...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="283"/>
        <source>Open any diffusers model folder (as File &gt; Open Model Folder)</source>
        <translation>Ouvrir n&apos;importe quel dossier de modèle diffusers (comme Fichier &gt; Ouvrir un dossier de modèle)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="306"/>
        <source>Cannot open the model folder %1</source>
        <translation>Impossible d&apos;ouvrir le dossier de modèle %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="307"/>
        <source>Cannot open model</source>
        <translation>Impossible d&apos;ouvrir le modèle</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="308"/>
        <source>The model folder %1 cannot be used:

%2</source>
        <translation>Le dossier de modèle %1 ne peut pas être utilisé :

%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="357"/>
        <location filename="../ui/main_window.cpp" line="402"/>
        <source>Open a model folder first (File &gt; Open Model Folder)</source>
        <translation>Ouvrez d&apos;abord un dossier de modèle (Fichier &gt; Ouvrir un dossier de modèle)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="364"/>
        <source>Generating...</source>
        <translation>Génération...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="407"/>
        <source>A trajectory needs at least 3 steps</source>
        <translation>Une trajectoire demande au moins 3 étapes</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="416"/>
        <source>Computing the trajectory...</source>
        <translation>Calcul de la trajectoire...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="435"/>
        <source>Draft in %1 s - let go of the slider for the full image</source>
        <translation>Ébauche en %1 s - relâchez le curseur pour l&apos;image complète</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="437"/>
        <source>Generated %1x%2 in %3 s (seed %4)</source>
        <translation>Image %1x%2 générée en %3 s (graine %4)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="470"/>
        <source>The image on screen is now the reference of the compare view</source>
        <translation>L&apos;image affichée est maintenant la référence de la comparaison</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="477"/>
        <source>Cannot load directions: %1</source>
        <translation>Impossible de charger les directions : %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="512"/>
        <source>Decoding frame %1 of %2</source>
        <translation>Décodage de l&apos;image %1 sur %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="513"/>
        <source>Inverting the image: step %1 of %2</source>
        <translation>Inversion de l&apos;image : étape %1 sur %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="585"/>
        <source>Trajectory: %1 frames in %2 s (denoising %3 s)</source>
        <translation>Trajectoire : %1 images en %2 s (débruitage %3 s)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="590"/>
        <source>; inversion %1 s, reconstruction PSNR %2 dB</source>
        <translation> ; inversion %1 s, PSNR de reconstruction %2 dB</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="600"/>
        <source>&apos;%1&apos;:
%2</source>
        <translation>« %1 » :
%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="608"/>
        <source>Open Image or DICOM</source>
        <translation>Ouvrir une image ou un fichier DICOM</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="609"/>
        <source>DICOM and images (*.dcm *.dicom *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)</source>
        <translation>DICOM et images (*.dcm *.dicom *.png *.jpg *.jpeg *.tif *.tiff);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="615"/>
        <location filename="../ui/main_window.cpp" line="681"/>
        <source>Cannot open image</source>
        <translation>Impossible d&apos;ouvrir l&apos;image</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="630"/>
        <location filename="../ui/main_window.cpp" line="649"/>
        <source>%1x%2</source>
        <translation>%1x%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="632"/>
        <location filename="../ui/main_window.cpp" line="657"/>
        <source>Opened %1</source>
        <translation>%1 ouvert</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="648"/>
        <source>no modality</source>
        <translation>modalité inconnue</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="651"/>
        <source>%1 x %2 mm</source>
        <translation>%1 x %2 mm</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="714"/>
        <source>frame %1 of %2</source>
        <translation>image %1 sur %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="729"/>
        <source>of %1</source>
        <translation>sur %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="735"/>
        <source>Open DICOM Folder</source>
        <translation>Ouvrir un dossier DICOM</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="744"/>
        <location filename="../ui/main_window.cpp" line="1169"/>
        <source>Cannot scan for DICOM files</source>
        <translation>Impossible de rechercher les fichiers DICOM</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="744"/>
        <source>the folder or file does not exist</source>
        <translation>le dossier ou le fichier n&apos;existe pas</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="763"/>
        <source>Only local files can be opened; &apos;%1&apos; is not a local file</source>
        <translation>Seuls les fichiers locaux peuvent être ouverts ; « %1 » n&apos;est pas un fichier local</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="818"/>
        <source>Opened %1; the other %2 dropped images were not opened</source>
        <translation>%1 ouvert ; les %2 autres images déposées n&apos;ont pas été ouvertes</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="825"/>
        <source>Nothing to export yet</source>
        <translation>Rien à exporter pour l&apos;instant</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="828"/>
        <source>Export Image</source>
        <translation>Exporter l&apos;image</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="829"/>
        <source>PNG image (*.png);;DICOM Secondary Capture (*.dcm)</source>
        <translation>Image PNG (*.png);;DICOM Secondary Capture (*.dcm)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="835"/>
        <source>Cannot export image</source>
        <translation>Impossible d&apos;exporter l&apos;image</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="838"/>
        <source>there is no image to export</source>
        <translation>il n&apos;y a aucune image à exporter</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="843"/>
        <source>the file could not be written</source>
        <translation>le fichier n&apos;a pas pu être écrit</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="846"/>
        <location filename="../ui/main_window.cpp" line="866"/>
        <source>Exported %1</source>
        <translation>%1 exporté</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="876"/>
        <source>Export Trajectory to Folder</source>
        <translation>Exporter la trajectoire dans un dossier</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="882"/>
        <source>Cannot export trajectory</source>
        <translation>Impossible d&apos;exporter la trajectoire</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="884"/>
        <source>there is no trajectory yet (Compute trajectory first)</source>
        <translation>il n&apos;y a pas encore de trajectoire (Calculer la trajectoire d&apos;abord)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="890"/>
        <source>frame %1 is still being decoded; export when the trajectory is finished</source>
        <translation>l&apos;image %1 est encore en cours de décodage ; exportez quand la trajectoire est terminée</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="942"/>
        <source>Exported %1 frames, trajectory.mp4 and recipe.json to %2</source>
        <translation>%1 images, trajectory.mp4 et recipe.json exportés dans %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1010"/>
        <source>SYNTHETIC IMAGE - generated by a diffusion model, not for diagnosis</source>
        <translation>IMAGE SYNTHÉTIQUE - générée par un modèle de diffusion, pas pour le diagnostic</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1017"/>
        <source>No image yet.
Generate an image or open a DICOM file to begin.</source>
        <translation>Aucune image pour l&apos;instant.
Générez une image ou ouvrez un fichier DICOM pour commencer.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1027"/>
        <source>Frame</source>
        <translation>Image</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1030"/>
        <source>DICOM frame on screen (Page Up / Page Down)</source>
        <translation>Image DICOM affichée (Page préc. / Page suiv.)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1059"/>
        <source>(none)</source>
        <translation>(aucun)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1061"/>
        <source>Model:</source>
        <translation>Modèle :</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1065"/>
        <source>Describe the image, e.g. Chest X-ray showing Pleural Effusion</source>
        <translation>Décrivez l&apos;image, p. ex. Chest X-ray showing Pleural Effusion</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1066"/>
        <source>Prompt:</source>
        <translation>Invite :</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1069"/>
        <source>optional</source>
        <translation>facultatif</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1070"/>
        <source>Negative prompt:</source>
        <translation>Invite négative :</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1075"/>
        <source>New</source>
        <translation>Nouvelle</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1076"/>
        <source>Draw a new random seed</source>
        <translation>Tirer une nouvelle graine aléatoire</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1078"/>
        <source>Lock</source>
        <translation>Verrouiller</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1080"/>
        <source>Keep this seed (the same patient) for every generation</source>
        <translation>Garder cette graine (le même patient) pour chaque génération</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1084"/>
        <source>Seed:</source>
        <translation>Graine :</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1088"/>
        <source>Steps:</source>
        <translation>Étapes :</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1094"/>
        <source>Guidance:</source>
        <translation>Guidage :</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1097"/>
        <source>DDIM</source>
        <translation>DDIM</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1097"/>
        <source>PNDM (PLMS)</source>
        <translation>PNDM (PLMS)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1097"/>
        <source>Euler</source>
        <translation>Euler</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1097"/>
        <source>DPM-Solver++ 2M</source>
        <translation>DPM-Solver++ 2M</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1097"/>
        <source>DPM-Solver++ 2M Karras</source>
        <translation>DPM-Solver++ 2M Karras</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1102"/>
        <source>Sampler:</source>
        <translation>Échantillonneur :</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1104"/>
        <source>Generate</source>
        <translation>Générer</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1108"/>
        <source>Generate (Ctrl+Return)</source>
        <translation>Générer (Ctrl+Entrée)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1111"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1118"/>
        <source>Model and Prompt</source>
        <translation>Modèle et invite</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1126"/>
        <source>Sliders</source>
        <translation>Curseurs</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1130"/>
        <source>Trajectory (prompt swap)</source>
        <translation>Trajectoire (échange de prompt)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1136"/>
        <source>Attributes</source>
        <translation>Attributs</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1151"/>
        <source>Trajectory</source>
        <translation>Trajectoire</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1158"/>
        <source>DICOM Series</source>
        <translation>Séries DICOM</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1167"/>
        <source>Scanning %1...</source>
        <translation>Recherche dans %1...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1173"/>
        <source>No DICOM images found</source>
        <translation>Aucune image DICOM trouvée</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1174"/>
        <source>there are no files to import</source>
        <translation>il n&apos;y a aucun fichier à importer</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1175"/>
        <source>none of the files is a readable DICOM image; the DICOM Series panel says why for each (%1 files)</source>
        <translation>aucun fichier n&apos;est une image DICOM lisible ; le panneau Séries DICOM indique pourquoi pour chacun (%1 fichiers)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1178"/>
        <source>%1: %2 DICOM instances, %3 unreadable files; double-click an instance to open it</source>
        <translation>%1 : %2 instances DICOM, %3 fichiers illisibles ; double-cliquez sur une instance pour l&apos;ouvrir</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1186"/>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1187"/>
        <source>&amp;Open Image or DICOM...</source>
        <translation>&amp;Ouvrir une image ou un fichier DICOM...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1189"/>
        <source>Open DICOM &amp;Folder...</source>
        <translation>Ouvrir un &amp;dossier DICOM...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1192"/>
        <source>&amp;Export Image...</source>
        <translation>&amp;Exporter l&apos;image...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1193"/>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1194"/>
        <source>&amp;De-identify DICOM Exports</source>
        <translation>&amp;Anonymiser les exports DICOM</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1198"/>
        <source>Replace the patient&apos;s name and ID and drop dates and source references in exported DICOM files</source>
        <translation>Remplacer le nom et l&apos;identifiant du patient et retirer les dates et les références à la source dans les fichiers DICOM exportés</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1201"/>
        <source>Export &amp;Trajectory (PNG, MP4, recipe)...</source>
        <translation>Exporter la &amp;trajectoire (PNG, MP4, recette)...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1202"/>
        <source>Ctrl+Shift+E</source>
        <translation>Ctrl+Shift+E</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1203"/>
        <source>Open &amp;Model Folder...</source>
        <translation>Ouvrir un dossier de &amp;modèle...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1191"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="171"/>
        <source>the folder does not exist</source>
        <translation>le dossier n&apos;existe pas</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="172"/>
        <source>this is a file, not a folder</source>
        <translation>c&apos;est un fichier, pas un dossier</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="175"/>
        <source>it is not a diffusers model folder (no model_index.json)</source>
        <translation>ce n&apos;est pas un dossier de modèle diffusers (model_index.json absent)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="180"/>
        <source>it has no &apos;%1&apos; folder</source>
        <translation>il n&apos;a pas de dossier « %1 »</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="188"/>
        <source>Cannot open the model folder %1: %2</source>
        <translation>Impossible d&apos;ouvrir le dossier de modèle %1 : %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1204"/>
        <source>Ctrl+Alt+O</source>
        <translation>Ctrl+Alt+O</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1205"/>
        <source>&amp;Load Directions...</source>
        <translation>&amp;Charger des directions...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1206"/>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1208"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1211"/>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1212"/>
        <source>&amp;Compare Neutral | Edited | Difference</source>
        <translation>&amp;Comparer neutre | modifiée | différence</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1215"/>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1217"/>
        <source>Use as &amp;Reference</source>
        <translation>Utiliser comme &amp;référence</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1218"/>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1219"/>
        <source>&amp;Fit to Window</source>
        <translation>&amp;Ajuster à la fenêtre</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1220"/>
        <source>Ctrl+0</source>
        <translation>Ctrl+0</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1221"/>
        <source>Reset &amp;Window/Level</source>
        <translation>Réinitialiser la &amp;fenêtre/niveau</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1222"/>
        <source>Ctrl+Shift+R</source>
        <translation>Ctrl+Shift+R</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1223"/>
        <source>Window &amp;Presets</source>
        <translation>&amp;Préréglages de fenêtre</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1225"/>
        <source>File Window</source>
        <translation>Fenêtre du fichier</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1226"/>
        <source>Full Range</source>
        <translation>Plage complète</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1227"/>
        <source>Auto (1st to 99th percentile)</source>
        <translation>Auto (1er au 99e centile)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1228"/>
        <source>High Contrast</source>
        <translation>Contraste élevé</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1235"/>
        <source>&amp;Invert Gray Scale</source>
        <translation>&amp;Inverser les niveaux de gris</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1236"/>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1238"/>
        <source>&amp;Play/Pause Trajectory</source>
        <translation>&amp;Lecture/pause de la trajectoire</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1239"/>
        <source>Ctrl+Space</source>
        <translation>Ctrl+Space</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1240"/>
        <source>&amp;Next Frame</source>
        <translation>Image &amp;suivante</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1241"/>
        <source>Ctrl+Right</source>
        <translation>Ctrl+Right</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1242"/>
        <source>P&amp;revious Frame</source>
        <translation>Image &amp;précédente</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1243"/>
        <source>Ctrl+Left</source>
        <translation>Ctrl+Left</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1244"/>
        <source>Compute &amp;Trajectory</source>
        <translation>Calculer la &amp;trajectoire</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1245"/>
        <source>Ctrl+T</source>
        <translation>Ctrl+T</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1248"/>
        <source>Next DICOM Frame</source>
        <translation>Image DICOM suivante</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1251"/>
        <source>Previous DICOM Frame</source>
        <translation>Image DICOM précédente</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1262"/>
        <source>&amp;Study</source>
        <translation>&amp;Étude</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1263"/>
        <source>&amp;New Study...</source>
        <translation>&amp;Nouvelle étude...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1264"/>
        <source>&amp;Read Study...</source>
        <translation>&amp;Lire une étude...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1265"/>
        <source>Study &amp;Summary...</source>
        <translation>&amp;Synthèse de l&apos;étude...</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1267"/>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1268"/>
        <source>&amp;About MedTraverse</source>
        <translation>À &amp;propos de MedTraverse</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1269"/>
        <source>About &amp;Qt</source>
        <translation>À propos de &amp;Qt</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="1281"/>
        <location filename="../ui/main_window.cpp" line="1290"/>
        <source>Open Study Folder</source>
        <translation>Ouvrir un dossier d&apos;étude</translation>
    </message>
</context>
<context>
    <name>mt::ui::ReadingSessionWindow</name>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="52"/>
        <source>Reader Study - %1</source>
        <translation>Étude de lecture - %1</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="56"/>
        <source>SYNTHETIC IMAGES - reader study for research, not for diagnosis</source>
        <translation>IMAGES SYNTHÉTIQUES - étude de lecture à des fins de recherche, pas pour le diagnostic</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="69"/>
        <source>Study: %1 (%2 trials)</source>
        <translation>Étude : %1 (%2 essais)</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="72"/>
        <source>This study cannot be read: %1</source>
        <translation>Cette étude ne peut pas être lue : %1</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="90"/>
        <source>Each trial shows a neutral image and an edited image of the same synthetic patient. Rate how well one finding is controlled, how realistic the edited image is and how well the anatomy is preserved. Your answers are saved as you go; if the session is interrupted, log in again with the same ID to continue.</source>
        <translation>Chaque essai montre une image neutre et une image modifiée du même patient synthétique. Cotez dans quelle mesure une seule anomalie est contrôlée, le réalisme de l&apos;image modifiée et la préservation de l&apos;anatomie. Vos réponses sont enregistrées au fur et à mesure ; si la session est interrompue, reconnectez-vous avec le même identifiant pour continuer.</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="103"/>
        <source>e.g. Dr. A. Martin</source>
        <translation>p. ex. Dr A. Martin</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="106"/>
        <source>letters, digits, . _ - (e.g. reader01)</source>
        <translation>lettres, chiffres, . _ - (p. ex. lecteur01)</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="107"/>
        <source>Reader name:</source>
        <translation>Nom du lecteur :</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="108"/>
        <source>Reader ID:</source>
        <translation>Identifiant du lecteur :</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="113"/>
        <source>Start or resume (Enter)</source>
        <translation>Commencer ou reprendre (Entrée)</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="147"/>
        <source>A - neutral (reference)</source>
        <translation>A - neutre (référence)</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="150"/>
        <source>B - edited</source>
        <translation>B - modifiée</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="157"/>
        <source>1. Controllability: does exactly one finding change between A and B?</source>
        <translation>1. Contrôlabilité : une seule anomalie change-t-elle entre A et B ?</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="158"/>
        <source>no clear change / many changes</source>
        <translation>pas de changement net / nombreux changements</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="158"/>
        <source>one finding changes clearly</source>
        <translation>une seule anomalie change nettement</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="159"/>
        <source>2. Realism: how realistic is the edited image B?</source>
        <translation>2. Réalisme : l&apos;image modifiée B est-elle réaliste ?</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="159"/>
        <source>clearly artificial</source>
        <translation>nettement artificielle</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="160"/>
        <source>indistinguishable from real</source>
        <translation>impossible à distinguer d&apos;une image réelle</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="161"/>
        <source>3. Anatomy preservation: is the patient&apos;s anatomy the same in A and B?</source>
        <translation>3. Préservation de l&apos;anatomie : l&apos;anatomie du patient est-elle la même en A et en B ?</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="162"/>
        <source>anatomy changed a lot</source>
        <translation>anatomie très modifiée</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="162"/>
        <source>anatomy identical</source>
        <translation>anatomie identique</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="179"/>
        <source>optional</source>
        <translation>facultatif</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="180"/>
        <source>Which finding changed? (optional)</source>
        <translation>Quelle anomalie a changé ? (facultatif)</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="181"/>
        <source>Comment:</source>
        <translation>Commentaire :</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="185"/>
        <source>Keyboard: 1-5 rate the highlighted question, Tab moves on, Enter submits.</source>
        <translation>Clavier : 1-5 cote la question en surbrillance, Tab passe à la suivante, Entrée valide.</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="188"/>
        <source>Submit and next (Enter)</source>
        <translation>Valider et suivant (Entrée)</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="218"/>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="238"/>
        <source>(not sure / skip)</source>
        <translation>(incertain / passer)</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="241"/>
        <source>Reader Study - %1 - %2</source>
        <translation>Étude de lecture - %1 - %2</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="281"/>
        <source>All %1 trials are rated. Thank you, %2.

Your answers are saved in %3.</source>
        <translation>Les %1 essais sont cotés. Merci, %2.

Vos réponses sont enregistrées dans %3.</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="296"/>
        <source>Cannot read the image &apos;%1&apos;.</source>
        <translation>Impossible de lire l&apos;image « %1 ».</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="297"/>
        <source>Trial %1 / %2</source>
        <translation>Essai %1 / %2</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="322"/>
        <source>Rate all three questions (1-5) before submitting.</source>
        <translation>Cotez les trois questions (1-5) avant de valider.</translation>
    </message>
    <message>
        <location filename="../ui/study/reading_session_window.cpp" line="339"/>
        <source>The answer could not be saved: %1</source>
        <translation>La réponse n&apos;a pas pu être enregistrée : %1</translation>
    </message>
</context>
<context>
    <name>mt::ui::SeriesBrowser</name>
    <message>
        <location filename="../ui/series_browser.cpp" line="67"/>
        <source>Open a DICOM folder (File &gt; Open DICOM Folder) or drop a folder, a DICOMDIR or files on the window.</source>
        <translation>Ouvrez un dossier DICOM (Fichier &gt; Ouvrir un dossier DICOM) ou déposez un dossier, un DICOMDIR ou des fichiers sur la fenêtre.</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="83"/>
        <source>Patient / description</source>
        <translation>Patient / description</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="83"/>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="83"/>
        <source>Modality</source>
        <translation>Modalité</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="83"/>
        <source>Instance</source>
        <translation>Instance</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="83"/>
        <source>Frames</source>
        <translation>Images</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="84"/>
        <source>Size (rows x columns)</source>
        <translation>Taille (lignes x colonnes)</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="84"/>
        <source>Transfer syntax</source>
        <translation>Syntaxe de transfert</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="84"/>
        <source>Problem</source>
        <translation>Problème</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="112"/>
        <source>%1 dropped files and folders</source>
        <translation>%1 fichiers et dossiers déposés</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="121"/>
        <source>Scanning %1...</source>
        <translation>Recherche dans %1...</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="147"/>
        <source>Cannot scan %1: %2</source>
        <translation>Impossible de parcourir %1 : %2</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="156"/>
        <source>Studies: %1, series: %2, instances: %3, unreadable files: %4</source>
        <translation>Études : %1, séries : %2, instances : %3, fichiers illisibles : %4</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="161"/>
        <source>(files listed by the DICOMDIR)</source>
        <translation>(fichiers listés par le DICOMDIR)</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="179"/>
        <source>(no patient name)</source>
        <translation>(pas de nom de patient)</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="183"/>
        <source>Patient ID: %1
Accession number: %2
Study Instance UID: %3</source>
        <translation>ID patient : %1
Numéro d&apos;accession : %2
Study Instance UID : %3</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="187"/>
        <source>Series %1</source>
        <translation>Série %1</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="191"/>
        <source>Series Instance UID: %1</source>
        <translation>Series Instance UID : %1</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="202"/>
        <source>%1 x %2</source>
        <translation>%1 x %2</translation>
    </message>
    <message>
        <location filename="../ui/series_browser.cpp" line="211"/>
        <source>Unreadable files (%1)</source>
        <translation>Fichiers illisibles (%1)</translation>
    </message>
</context>
<context>
    <name>mt::ui::StudyDesignerDialog</name>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="38"/>
        <source>New Reader Study</source>
        <translation>Nouvelle étude de lecture</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="46"/>
        <location filename="../ui/study/study_designer_dialog.cpp" line="115"/>
        <source>Browse...</source>
        <translation>Parcourir...</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="48"/>
        <source>Model Folder</source>
        <translation>Dossier du modèle</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="51"/>
        <source>Model folder:</source>
        <translation>Dossier du modèle :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="53"/>
        <source>default: the study folder&apos;s name</source>
        <translation>par défaut : le nom du dossier de l&apos;étude</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="54"/>
        <source>Title:</source>
        <translation>Titre :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="57"/>
        <source>Comma-separated; each finding becomes the attribute prompt through the template</source>
        <translation>Séparées par des virgules ; chaque anomalie devient l&apos;invite d&apos;attribut via le modèle d&apos;invite</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="58"/>
        <source>Findings:</source>
        <translation>Anomalies :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="60"/>
        <source>Neutral prompt:</source>
        <translation>Invite neutre :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="62"/>
        <source>{} is replaced by the finding</source>
        <translation>{} est remplacé par l&apos;anomalie</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="63"/>
        <source>Attribute prompt template:</source>
        <translation>Modèle d&apos;invite d&apos;attribut :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="66"/>
        <source>Generated patients, e.g. 1500-1509 or 1500,1502,1510</source>
        <translation>Patients générés, p. ex. 1500-1509 ou 1500,1502,1510</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="67"/>
        <source>Seeds:</source>
        <translation>Graines :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="71"/>
        <source>Add images...</source>
        <translation>Ajouter des images...</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="72"/>
        <source>Remove</source>
        <translation>Retirer</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="76"/>
        <source>Images to import</source>
        <translation>Images à importer</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="77"/>
        <source>Images and DICOM (*.png *.jpg *.jpeg *.tif *.tiff *.dcm);;All files (*)</source>
        <translation>Images et DICOM (*.png *.jpg *.jpeg *.tif *.tiff *.dcm);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="88"/>
        <source>Imported images (DICOM/PNG):</source>
        <translation>Images importées (DICOM/PNG) :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="91"/>
        <source>Conditions: swap to the attribute prompt after step k; small k = strong edit (the paper uses 45..5)</source>
        <translation>Conditions : passage à l&apos;invite d&apos;attribut après l&apos;étape k ; petit k = modification forte (l&apos;article utilise 45..5)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="92"/>
        <source>Conditions, swap k:</source>
        <translation>Conditions, échange k :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="95"/>
        <source>optional, e.g. 0.5,1.0</source>
        <translation>facultatif, p. ex. 0.5,1.0</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="96"/>
        <source>Conditions: frames tau along the Bezier path through the paper&apos;s k grid</source>
        <translation>Conditions : images tau le long de la courbe de Bézier passant par la grille de k de l&apos;article</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="97"/>
        <source>Conditions, Bezier tau:</source>
        <translation>Conditions, tau de Bézier :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="102"/>
        <source>Steps:</source>
        <translation>Étapes :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="107"/>
        <source>Guidance:</source>
        <translation>Guidage :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="111"/>
        <source>Seeds the stimulus ids and every reader&apos;s trial order (recorded)</source>
        <translation>Détermine les identifiants des stimuli et l&apos;ordre des essais de chaque lecteur (enregistré)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="112"/>
        <source>Randomisation seed:</source>
        <translation>Graine de randomisation :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="117"/>
        <source>Study Folder</source>
        <translation>Dossier de l&apos;étude</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="120"/>
        <source>Study folder:</source>
        <translation>Dossier de l&apos;étude :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="136"/>
        <source>Generate stimuli</source>
        <translation>Générer les stimuli</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="138"/>
        <source>Cancel generation</source>
        <translation>Annuler la génération</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="141"/>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="164"/>
        <source>Seeds</source>
        <translation>Graines</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="166"/>
        <source>Swap k</source>
        <translation>Échange k</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="167"/>
        <source>Bezier tau</source>
        <translation>tau de Bézier</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="178"/>
        <source>%1 stimuli = %2 starts x %3 findings x %4 conditions</source>
        <translation>%1 stimuli = %2 départs x %3 anomalies x %4 conditions</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="196"/>
        <source>Cannot start: %1</source>
        <translation>Impossible de démarrer : %1</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="206"/>
        <source>Loading the model...</source>
        <translation>Chargement du modèle...</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="251"/>
        <source>Wrote %1 stimuli to %2. Readers can now open it with Study &gt; Read Study.</source>
        <translation>%1 stimuli écrits dans %2. Les lecteurs peuvent maintenant l&apos;ouvrir avec Étude &gt; Lire une étude.</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="257"/>
        <source>Cancelled. The folder holds no study.json and is not a usable study.</source>
        <translation>Annulé. Le dossier ne contient pas de study.json et n&apos;est pas une étude utilisable.</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="261"/>
        <source>Generation failed: %1</source>
        <translation>Échec de la génération : %1</translation>
    </message>
    <message>
        <location filename="../ui/study/study_designer_dialog.cpp" line="271"/>
        <source>Cancelling at the next step...</source>
        <translation>Annulation à la prochaine étape...</translation>
    </message>
</context>
<context>
    <name>mt::ui::StudySummaryWidget</name>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="37"/>
        <source>Study Summary - %1</source>
        <translation>Synthèse de l&apos;étude - %1</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="44"/>
        <source>Measure:</source>
        <translation>Mesure :</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="47"/>
        <location filename="../ui/study/study_summary_widget.cpp" line="81"/>
        <source>Controllability</source>
        <translation>Contrôlabilité</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="48"/>
        <location filename="../ui/study/study_summary_widget.cpp" line="81"/>
        <source>Realism</source>
        <translation>Réalisme</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="49"/>
        <location filename="../ui/study/study_summary_widget.cpp" line="81"/>
        <source>Anatomy preservation</source>
        <translation>Préservation de l&apos;anatomie</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="50"/>
        <source>Finding identified (forced choice)</source>
        <translation>Anomalie identifiée (choix forcé)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="54"/>
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="56"/>
        <source>Export CSV and JSON</source>
        <translation>Exporter en CSV et JSON</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="72"/>
        <source>Inter-reader agreement (trials rated by every reader)</source>
        <translation>Accord inter-lecteurs (essais cotés par tous les lecteurs)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="79"/>
        <source>Readers</source>
        <translation>Lecteurs</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="79"/>
        <source>Trials</source>
        <translation>Essais</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="79"/>
        <source>Weighted kappa
(linear)</source>
        <translation>Kappa pondéré
(linéaire)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="80"/>
        <source>Weighted kappa
(quadratic)</source>
        <translation>Kappa pondéré
(quadratique)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="80"/>
        <source>Fleiss&apos; kappa</source>
        <translation>Kappa de Fleiss</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="80"/>
        <source>ICC(2,1)</source>
        <translation>ICC(2,1)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="89"/>
        <source>Bars: mean with 95% confidence interval (Student t; Wilson for the forced choice), ratings of all readers pooled. Weighted Cohen&apos;s kappa for two readers, Fleiss&apos; kappa for three or more; ICC(2,1): two-way random, absolute agreement.</source>
        <translation>Barres : moyenne avec intervalle de confiance à 95 % (t de Student ; Wilson pour le choix forcé), cotations de tous les lecteurs regroupées. Kappa de Cohen pondéré pour deux lecteurs, kappa de Fleiss pour trois ou plus ; ICC(2,1) : modèle à deux facteurs aléatoires, accord absolu.</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="113"/>
        <source>Cannot summarise this study: %1</source>
        <translation>Impossible de synthétiser cette étude : %1</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="120"/>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2 reader(s), %3 answers, %4 stimuli (%5 findings x %6 conditions x starts)</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; : %2 lecteur(s), %3 réponses, %4 stimuli (%5 anomalies x %6 conditions x départs)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="189"/>
        <source>Finding</source>
        <translation>Anomalie</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="190"/>
        <source>Proportion correct (95% CI)</source>
        <translation>Proportion correcte (IC à 95 %)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="190"/>
        <source>Mean rating 1-5 (95% CI)</source>
        <translation>Cotation moyenne 1-5 (IC à 95 %)</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="223"/>
        <source>Export failed: %1</source>
        <translation>Échec de l&apos;export : %1</translation>
    </message>
    <message>
        <location filename="../ui/study/study_summary_widget.cpp" line="227"/>
        <source>Exported the answers to %1 (answers.csv, answers.json).</source>
        <translation>Réponses exportées dans %1 (answers.csv, answers.json).</translation>
    </message>
</context>
<context>
    <name>mt::ui::TrajectoryPanel</name>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="67"/>
        <source>Finding:</source>
        <translation>Signe :</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="70"/>
        <source>Neutral:</source>
        <translation>Neutre :</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="73"/>
        <source>Attribute:</source>
        <translation>Attribut :</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="79"/>
        <source> frames</source>
        <translation> images</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="81"/>
        <source>Bézier (paper)</source>
        <translation>Bézier (article)</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="82"/>
        <source>Linear</source>
        <translation>Linéaire</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="83"/>
        <source>Piecewise</source>
        <translation>Par morceaux</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="84"/>
        <source>Spherical</source>
        <translation>Sphérique</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="87"/>
        <source>Path:</source>
        <translation>Chemin :</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="88"/>
        <source>Start from the opened image (inverted)</source>
        <translation>Partir de l&apos;image ouverte (inversée)</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="97"/>
        <source>Compute trajectory</source>
        <translation>Calculer la trajectoire</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="99"/>
        <source>Neutral run once, then one swap per k resumed from its cached step (Ctrl+T)</source>
        <translation>Une passe neutre, puis un échange par k repris depuis son étape en cache (Ctrl+T)</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="104"/>
        <location filename="../ui/trajectory_panel.cpp" line="292"/>
        <source>Play</source>
        <translation>Lecture</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="108"/>
        <source>Cine: play the trajectory back and forth (Ctrl+Space)</source>
        <translation>Ciné : lire la trajectoire en aller-retour (Ctrl+Space)</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="113"/>
        <source>Trajectory position</source>
        <translation>Position sur la trajectoire</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="117"/>
        <location filename="../ui/trajectory_panel.cpp" line="217"/>
        <source>No trajectory yet</source>
        <translation>Pas encore de trajectoire</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="187"/>
        <source>Open an image or DICOM file first</source>
        <translation>Ouvrez d&apos;abord une image ou un fichier DICOM</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="188"/>
        <source>%1, frame %2</source>
        <translation>%1, image %2</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="196"/>
        <source>Sliders apply to every frame (%1): frame 0 is the neutral prompt with these sliders.</source>
        <translation>Les curseurs s&apos;appliquent à chaque image (%1) : l&apos;image 0 est le prompt neutre avec ces curseurs.</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="292"/>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="301"/>
        <source>Frame %1 of %2 (tau %3) - %4</source>
        <translation>Image %1 sur %2 (tau %3) - %4</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="305"/>
        <source>decoded</source>
        <translation>décodée</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_panel.cpp" line="305"/>
        <source>preview, decoding...</source>
        <translation>aperçu, décodage...</translation>
    </message>
</context>
<context>
    <name>mt::ui::TrajectoryPlots</name>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="32"/>
        <source>frame (0 = neutral)</source>
        <translation>image (0 = neutre)</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="32"/>
        <source>classifier probability</source>
        <translation>prob. du classifieur</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="41"/>
        <source>swap step k (the attribute prompt from step k on)</source>
        <translation>étape d&apos;échange k (prompt d&apos;attribut à partir de l&apos;étape k)</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="41"/>
        <source>cosine with the weakest swap</source>
        <translation>cosinus avec l&apos;échange le plus faible</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="43"/>
        <source>direction</source>
        <translation>direction</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="43"/>
        <source>explained variance (%)</source>
        <translation>variance expliquée (%)</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="45"/>
        <source>Findings along the trajectory</source>
        <translation>Signes le long de la trajectoire</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="46"/>
        <source>Cosine per swap step</source>
        <translation>Cosinus par étape d&apos;échange</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="47"/>
        <source>PCA explained variance</source>
        <translation>Variance expliquée (ACP)</translation>
    </message>
    <message>
        <location filename="../ui/trajectory_plots.cpp" line="58"/>
        <source>%1 (target)</source>
        <translation>%1 (cible)</translation>
    </message>
</context>
</TS>
