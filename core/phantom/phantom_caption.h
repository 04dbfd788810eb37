// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>

#include "core/phantom/phantom.h"

namespace mt::phantom {

// Phrasings 0..2 are clinical sentences generated from the factors; phrasing 3 is the source paper's
// label style ("Chest X-ray showing Pleural Effusion, Support Devices", "a dermoscopic image with
// melanoma (MEL) showing hair, ruler"). A caption names every finding present and never names an
// absent one (no negations such as "no effusion"), so a text encoder sees only what is there.
inline constexpr int kCaptionPhrasings = 4;
inline constexpr int kPaperPhrasing = 3;

// Neutral captions (no finding / no artifact) per phrasing come from the same functions.
std::string cxrCaption(const CxrFactors& factors, int phrasing = 0);
std::string dermCaption(const DermFactors& factors, int phrasing = 0);
std::string captionFor(const PhantomFactors& factors, int phrasing = 0);

}  // namespace mt::phantom
