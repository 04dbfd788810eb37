// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/about_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPixmap>
#include <QVBoxLayout>

#include "core/common/version.h"

namespace mt::ui {

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("About MedTraverse"));
    setObjectName(QStringLiteral("AboutDialog"));
    auto* layout = new QVBoxLayout(this);
    auto* icon = new QLabel(this);
    // 64 logical pixels from the 256-pixel PNG at device resolution (sharp at 200 % scaling).
    const qreal dpr = devicePixelRatioF();
    QPixmap logo = QPixmap(QStringLiteral(":/icons/medtraverse.png"))
                       .scaled(QSize(64, 64) * dpr, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    logo.setDevicePixelRatio(dpr);
    icon->setPixmap(logo);
    layout->addWidget(icon, 0, Qt::AlignHCenter);
    auto* text = new QLabel(this);
    text->setObjectName(QStringLiteral("aboutText"));
    text->setWordWrap(true);
    text->setTextFormat(Qt::RichText);
    text->setText(tr("<h3>MedTraverse %1</h3>"
                     "<p>Language-guided trajectories through a latent diffusion model: steer one finding "
                     "at a time while the patient's anatomy stays put.</p>"
                     "<p><b>All generated and edited images are synthetic.</b> They are for research, "
                     "teaching and reader studies, not for diagnosis.</p>"
                     "<p>Built with Qt, LibTorch, OpenCV, DCMTK and QCustomPlot (GPL-3.0).</p>")
                      .arg(QString::fromLatin1(mt::kVersion)));
    layout->addWidget(text);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

}  // namespace mt::ui
