#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the bundled model's slider directions (resources/models/default/directions.safetensors):
#   - one prompt-pair direction per finding, averaged over the caption phrasings the model was trained on
#     (the paper's label style and phantom phrasings 0-2, core/phantom/phantom_caption.cpp);
#   - nodule, consolidation, lesion border and melanoma as their own sliders;
#   - the first principal axes of the X-ray and dermoscopy caption embeddings, auto-labelled with the
#     finding whose classifier they move most (directions label).
# Usage: tools/make-default-directions.sh [BUILD_DIR] [MODEL_DIR]   (THREADS=N, LABEL_SEEDS=N)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
MODEL="${2:-$ROOT/resources/models/default}"
CLI="$BUILD/app/medtraverse-cli"
THREADS="${THREADS:-0}"
LABEL_SEEDS="${LABEL_SEEDS:-4}"
OUT="$MODEL/directions.safetensors"
TMP="$MODEL/directions.safetensors.new"
rm -f "$TMP"

pair() {  # pair NAME --neutral ... --attribute ...
    local name="$1"
    shift
    "$CLI" directions prompt-pair --model "$MODEL" --threads "$THREADS" --name "$name" --out "$TMP" --merge "$@" >/dev/null
    echo "  $name"
}

CXR_N=("Normal chest X-ray with no significant findings"
       "PA chest radiograph with no significant findings."
       "Frontal chest radiograph: clear lungs, normal heart size, no acute abnormality.")
NV="melanocytic nevus (NV)"
DERM_N=("a dermoscopic image with $NV with no visible artifacts"
        "Dermoscopic image of a melanocytic nevus with no visible artifacts.")

echo "prompt-pair directions (mean over phrasings):"
pair pleural_effusion --neutral "${CXR_N[@]}" --attribute \
    "Chest X-ray showing Pleural Effusion" \
    "PA chest radiograph with right pleural effusion, moderate, blunting the costophrenic angle." \
    "Frontal chest radiograph. Findings: a moderate right pleural effusion with a meniscus."
pair cardiomegaly --neutral "${CXR_N[@]}" --attribute \
    "Chest X-ray showing Cardiomegaly" \
    "PA chest radiograph with cardiomegaly (cardiothoracic ratio 0.62)." \
    "Frontal chest radiograph. Findings: an enlarged cardiac silhouette (moderate cardiomegaly)."
pair support_devices --neutral "${CXR_N[@]}" --attribute \
    "Chest X-ray showing Support Devices" \
    "PA chest radiograph with an endotracheal tube and a right internal jugular central line in place." \
    "Frontal chest radiograph. Lungs clear. Support devices: a dual-lead pacemaker and ECG leads."
pair lung_opacity --neutral "${CXR_N[@]}" --attribute \
    "Chest X-ray showing Lung Opacity" \
    "PA chest radiograph with airspace consolidation in the right lower lobe." \
    "Frontal chest radiograph. Findings: a nodule of 18 mm projecting over the left upper lobe."
pair nodule --neutral "${CXR_N[@]}" --attribute \
    "Chest X-ray showing a 18 mm nodule in the right upper lobe." \
    "PA chest radiograph with right upper lobe nodule measuring 18 mm." \
    "Frontal chest radiograph. Findings: a nodule of 18 mm projecting over the right upper lobe."
pair consolidation --neutral "${CXR_N[@]}" --attribute \
    "Chest X-ray showing moderate right lower lobe consolidation." \
    "PA chest radiograph with airspace consolidation in the right lower lobe." \
    "Frontal chest radiograph. Findings: consolidation of the right lower lobe."
pair pneumothorax --neutral "${CXR_N[@]}" --attribute \
    "Chest X-ray showing Pneumothorax" \
    "PA chest radiograph with right pneumothorax, moderate." \
    "Frontal chest radiograph. Findings: a right pneumothorax with a visible pleural line."
pair hair --neutral "${DERM_N[@]}" --attribute \
    "a dermoscopic image with $NV showing hair" \
    "Dermoscopic image of a melanocytic nevus with many hairs visible."
pair ruler --neutral "${DERM_N[@]}" --attribute \
    "a dermoscopic image with $NV showing ruler" \
    "Dermoscopic image of a melanocytic nevus with ruler markings visible."
pair dark_corner --neutral "${DERM_N[@]}" --attribute \
    "a dermoscopic image with $NV showing dark corner" \
    "Dermoscopic image of a melanocytic nevus with dark corners visible."
pair gel_bubble --neutral "${DERM_N[@]}" --attribute \
    "a dermoscopic image with $NV showing gel bubble" \
    "Dermoscopic image of a melanocytic nevus with gel bubbles visible."
pair ink --neutral "${DERM_N[@]}" --attribute \
    "a dermoscopic image with $NV showing ink" \
    "Dermoscopic image of a melanocytic nevus with purple ink markings visible."
pair border --neutral \
    "Dermoscopy of a symmetric brown lesion with regular borders, consistent with melanocytic nevus; no artifacts." \
    "Dermoscopy of a symmetric light brown and dark brown lesion with regular borders and an typical pigment network, consistent with melanocytic nevus; no artifacts." \
    --attribute \
    "Dermoscopy of a symmetric brown lesion with irregular, abruptly ending borders, consistent with melanocytic nevus; no artifacts." \
    "Dermoscopy of a symmetric light brown and dark brown lesion with irregular, abruptly ending borders and an typical pigment network, consistent with melanocytic nevus; no artifacts."
pair melanoma --neutral "${DERM_N[@]}" --attribute \
    "a dermoscopic image with melanoma (MEL) with no visible artifacts" \
    "Dermoscopic image of a melanoma with no visible artifacts."

echo "principal axes of the caption embeddings:"
"$CLI" directions pca --model "$MODEL" --threads "$THREADS" --corpus phantom:cxr --count 400 --components 4 \
    --prefix cxr_pc --out "$TMP" --merge >/dev/null
"$CLI" directions pca --model "$MODEL" --threads "$THREADS" --corpus phantom:derm --count 400 --components 2 \
    --prefix derm_pc --out "$TMP" --merge >/dev/null
echo "auto-labels (classifier correlation):"
"$CLI" directions label "$TMP" --model "$MODEL" --threads "$THREADS" --kind cxr --names cxr_pc1,cxr_pc2,cxr_pc3,cxr_pc4 \
    --seeds "$LABEL_SEEDS"
"$CLI" directions label "$TMP" --model "$MODEL" --threads "$THREADS" --kind derm --names derm_pc1,derm_pc2 \
    --seeds "$LABEL_SEEDS"
mv "$TMP" "$OUT"
"$CLI" directions list "$OUT"
