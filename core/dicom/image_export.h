// SPDX-License-Identifier: GPL-3.0-or-later
// 16-bit PNG/TIFF export with a JSON sidecar holding the recipe that reproduces the image.
#pragma once
#include <string>

#include "core/common/json.h"
#include "core/dicom/derivation_recipe.h"
#include "core/dicom/pixel_transform.h"

namespace mt::dicom {

// Writes a 16-bit grayscale PNG (.png) or TIFF (.tif/.tiff). Throws mt::Error: InvalidArgument for an
// empty image or another extension, Io when the file cannot be written.
void writeImage16(const std::string& path, const GrayImage16& image);

// Reads a 16-bit grayscale PNG/TIFF back (8-bit files are scaled by 257). Throws mt::Error naming the file.
GrayImage16 readImage16(const std::string& path);

// "out/chest.png" -> "out/chest.json".
std::string sidecarPath(const std::string& imagePath);

// Writes the sidecar next to `imagePath`: {"format": "medtraverse-recipe", "version": 1, "image": <file
// name>, "bits": <bits>, "recipe": {...}, "source": <extra or null>} and returns its path.
std::string writeRecipeSidecar(const std::string& imagePath, const DerivationRecipe& recipe, int bits, const Json& extra = Json());

// Reads the recipe of a sidecar written by writeRecipeSidecar(). Throws mt::Error naming the file.
DerivationRecipe readRecipeSidecar(const std::string& sidecar);

}  // namespace mt::dicom
