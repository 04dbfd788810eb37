// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/trajectory_panel.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <map>

#include "ui/engine_bridge.h"
#include "ui/number_text.h"

namespace mt::ui {

namespace {
constexpr int kStripThumbs = 10;

QString findingName(const std::string& key)
{
    static const std::map<std::string, const char*> names = {
        {"pleural_effusion", QT_TRANSLATE_NOOP("TrajectoryPanel", "Pleural effusion")},
        {"cardiomegaly", QT_TRANSLATE_NOOP("TrajectoryPanel", "Cardiomegaly")},
        {"support_devices", QT_TRANSLATE_NOOP("TrajectoryPanel", "Support devices")},
        {"lung_opacity", QT_TRANSLATE_NOOP("TrajectoryPanel", "Lung opacity")},
        {"pneumothorax", QT_TRANSLATE_NOOP("TrajectoryPanel", "Pneumothorax")},
        {"hair", QT_TRANSLATE_NOOP("TrajectoryPanel", "Hair")},
        {"ruler", QT_TRANSLATE_NOOP("TrajectoryPanel", "Ruler")},
        {"dark_corner", QT_TRANSLATE_NOOP("TrajectoryPanel", "Dark corner")},
        {"gel_bubble", QT_TRANSLATE_NOOP("TrajectoryPanel", "Gel bubble")},
        {"ink", QT_TRANSLATE_NOOP("TrajectoryPanel", "Ink marking")},
    };
    const auto it = names.find(key);
    return it != names.end() ? QCoreApplication::translate("TrajectoryPanel", it->second) : QString::fromStdString(key);
}

QString findingTitle(const FindingChoice& f)
{
    const QString name = findingName(f.name);
    return f.kind == "cxr" ? QObject::tr("%1 (chest X-ray)").arg(name) : QObject::tr("%1 (dermoscopy)").arg(name);
}
}  // namespace

TrajectoryPanel::TrajectoryPanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("trajectoryPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* form = new QFormLayout;
    layout->addLayout(form);
    m_finding = new QComboBox(this);
    m_finding->setObjectName(QStringLiteral("trajectoryFinding"));
    for (const auto& f : GenerationEngine::findings())
        m_finding->addItem(findingTitle(f), QString::fromStdString(f.name));
    form->addRow(tr("Finding:"), m_finding);
    m_neutral = new QLineEdit(this);
    m_neutral->setObjectName(QStringLiteral("trajectoryNeutral"));
    form->addRow(tr("Neutral:"), m_neutral);
    m_attribute = new QLineEdit(this);
    m_attribute->setObjectName(QStringLiteral("trajectoryAttribute"));
    form->addRow(tr("Attribute:"), m_attribute);
    auto* options = new QHBoxLayout;
    m_frames = new QSpinBox(this);
    m_frames->setObjectName(QStringLiteral("trajectoryFrames"));
    m_frames->setRange(2, 400);
    m_frames->setValue(50);
    m_frames->setSuffix(tr(" frames"));
    m_path = new QComboBox(this);
    m_path->addItem(tr("Bézier (paper)"), QStringLiteral("bezier"));
    m_path->addItem(tr("Linear"), QStringLiteral("linear"));
    m_path->addItem(tr("Piecewise"), QStringLiteral("piecewise"));
    m_path->addItem(tr("Spherical"), QStringLiteral("slerp"));
    options->addWidget(m_frames);
    options->addWidget(m_path, 1);
    form->addRow(tr("Path:"), options);
    m_fromImage = new QCheckBox(tr("Start from the opened image (inverted)"), this);
    m_fromImage->setObjectName(QStringLiteral("trajectoryFromImage"));
    m_fromImage->setEnabled(false);
    form->addRow(m_fromImage);
    m_sliderNote = new QLabel(this);
    m_sliderNote->setObjectName(QStringLiteral("trajectorySliderNote"));
    m_sliderNote->setWordWrap(true);
    m_sliderNote->setVisible(false);
    form->addRow(m_sliderNote);
    m_compute = new QPushButton(tr("Compute trajectory"), this);
    m_compute->setObjectName(QStringLiteral("computeTrajectory"));
    m_compute->setToolTip(tr("Neutral run once, then one swap per k resumed from its cached step (Ctrl+T)"));
    connect(m_compute, &QPushButton::clicked, this, &TrajectoryPanel::computeRequested);
    form->addRow(m_compute);

    auto* scrubRow = new QHBoxLayout;
    m_play = new QPushButton(tr("Play"), this);
    m_play->setObjectName(QStringLiteral("playTrajectory"));
    m_play->setCheckable(true);
    m_play->setEnabled(false);
    m_play->setToolTip(tr("Cine: play the trajectory back and forth (Ctrl+Space)"));
    connect(m_play, &QPushButton::clicked, this, &TrajectoryPanel::togglePlay);
    m_scrub = new QSlider(Qt::Horizontal, this);
    m_scrub->setObjectName(QStringLiteral("trajectoryScrub"));
    m_scrub->setEnabled(false);
    m_scrub->setAccessibleName(tr("Trajectory position"));
    scrubRow->addWidget(m_play);
    scrubRow->addWidget(m_scrub, 1);
    layout->addLayout(scrubRow);
    m_frameLabel = new QLabel(tr("No trajectory yet"), this);
    m_frameLabel->setObjectName(QStringLiteral("trajectoryFrameLabel"));
    layout->addWidget(m_frameLabel);
    connect(m_scrub, &QSlider::valueChanged, this, [this] { showCurrent(); });
    connect(m_scrub, &QSlider::sliderReleased, this, [this] {
        if (!isDecoded(currentFrame())) emit decodeRequested(currentFrame());
    });

    m_cine = new QTimer(this);
    m_cine->setInterval(80);  // 12.5 frames per second
    connect(m_cine, &QTimer::timeout, this, [this] {
        const int last = frameCount() - 1;
        int next = currentFrame() + m_cineDirection;
        if (next > last || next < 0) {
            m_cineDirection = -m_cineDirection;
            next = currentFrame() + m_cineDirection;
        }
        setCurrentFrame(next);
    });

    m_strip = new QListWidget;  // shown by the window in its own dock
    m_strip->setObjectName(QStringLiteral("trajectoryStrip"));
    m_strip->setViewMode(QListView::IconMode);
    m_strip->setFlow(QListView::LeftToRight);
    m_strip->setWrapping(false);
    m_strip->setIconSize(QSize(88, 88));
    m_strip->setMovement(QListView::Static);
    m_strip->setFixedHeight(130);
    connect(m_strip, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && hasTrajectory()) setCurrentFrame(m_strip->item(row)->data(Qt::UserRole).toInt());
    });
    connect(m_finding, qOverload<int>(&QComboBox::currentIndexChanged), this, &TrajectoryPanel::findingChanged);
    findingChanged(0);
}

void TrajectoryPanel::findingChanged(int index)
{
    const auto all = GenerationEngine::findings();
    if (index < 0 || index >= static_cast<int>(all.size())) return;
    m_neutral->setText(QString::fromStdString(all[static_cast<std::size_t>(index)].neutralPrompt));
    m_attribute->setText(QString::fromStdString(all[static_cast<std::size_t>(index)].attributePrompt));
    // Show the start of a prompt longer than the field (setText leaves the cursor, and the view, at the end).
    m_neutral->setCursorPosition(0);
    m_attribute->setCursorPosition(0);
}

GenerationRequest TrajectoryPanel::request() const
{
    GenerationRequest r;
    r.kind = GenerationRequest::Kind::Trajectory;
    r.prompt = m_neutral->text().trimmed().toStdString();
    r.swapPrompt = m_attribute->text().trimmed().toStdString();
    r.frames = m_frames->value();
    r.path = m_path->currentData().toString().toStdString();
    const auto all = GenerationEngine::findings();
    const int i = m_finding->currentIndex();
    if (i >= 0 && i < static_cast<int>(all.size())) r.classifierKind = all[static_cast<std::size_t>(i)].kind;
    if (m_fromImage->isChecked() && !m_startImage.isEmpty()) {
        r.startImage = QFile::encodeName(m_startImage).toStdString();
        r.startFrame = m_startFrame;
    }
    return r;
}

void TrajectoryPanel::setStartImageAvailable(const QString& path, int frame)
{
    m_startImage = path;
    m_startFrame = path.isEmpty() ? 0 : std::max(0, frame);
    m_fromImage->setEnabled(!path.isEmpty());
    if (path.isEmpty()) m_fromImage->setChecked(false);
    if (path.isEmpty()) m_fromImage->setToolTip(tr("Open an image or DICOM file first"));
    else if (m_startFrame > 0) m_fromImage->setToolTip(tr("%1, frame %2").arg(QFileInfo(path).fileName()).arg(m_startFrame + 1));
    else m_fromImage->setToolTip(QFileInfo(path).fileName());
}

void TrajectoryPanel::setActiveSliders(const QStringList& sliders)
{
    m_sliderNote->setVisible(!sliders.isEmpty());
    m_sliderNote->setText(sliders.isEmpty() ? QString()
                                            : tr("Sliders apply to every frame (%1): frame 0 is the neutral prompt with these sliders.")
                                                  .arg(sliders.join(QStringLiteral(", "))));
}

QString TrajectoryPanel::sliderNote() const
{
    return m_sliderNote->text();
}

void TrajectoryPanel::clearTrajectory()
{
    if (m_cine->isActive()) togglePlay();
    m_view.reset();
    m_previews.clear();
    m_decoded.clear();
    m_probabilities.clear();
    m_findings.clear();
    m_target = -1;
    m_strip->clear();
    m_scrub->setEnabled(false);
    m_play->setEnabled(false);
    m_frameLabel->setText(tr("No trajectory yet"));
}

void TrajectoryPanel::setTrajectory(const std::shared_ptr<const TrajectoryView>& view)
{
    const int keep = hasTrajectory() && view && static_cast<int>(view->previews.size()) == frameCount() ? currentFrame() : -1;
    m_view = view;
    m_previews.clear();
    m_decoded.clear();
    m_probabilities.clear();
    m_findings.clear();
    for (const auto& p : view->previews) m_previews.push_back(EngineBridge::toQImage(p));
    for (const auto& d : view->decoded) m_decoded.push_back(EngineBridge::toQImage(d));
    for (const auto& row : view->probabilities) m_probabilities.push_back(QVector<double>(row.begin(), row.end()));
    for (const auto& f : view->findings) m_findings << QString::fromStdString(f);
    m_target = view->targetFinding;
    {
        const QSignalBlocker block(m_scrub);
        m_scrub->setRange(0, frameCount() - 1);
        m_scrub->setValue(keep >= 0 ? keep : frameCount() - 1);  // a new trajectory opens on the full edit
    }
    m_scrub->setEnabled(true);
    m_play->setEnabled(true);
    updateStrip();
    emit probabilitiesChanged();
    showCurrent();
}

void TrajectoryPanel::setFrame(int frame, const QImage& image, const QVector<double>& probabilities)
{
    if (frame < 0 || frame >= frameCount()) return;
    m_decoded[frame] = image;
    m_probabilities[frame] = probabilities;
    emit probabilitiesChanged();
    updateStrip();
    if (frame == currentFrame()) showCurrent();
}

int TrajectoryPanel::currentFrame() const
{
    return m_scrub->value();
}

void TrajectoryPanel::setCurrentFrame(int frame)
{
    m_scrub->setValue(frame);
}

bool TrajectoryPanel::isDecoded(int frame) const
{
    return frame >= 0 && frame < m_decoded.size() && !m_decoded[frame].isNull();
}

QImage TrajectoryPanel::frameImage(int frame) const
{
    if (frame < 0 || frame >= frameCount()) return {};
    return isDecoded(frame) ? m_decoded[frame] : m_previews[frame];
}

QImage TrajectoryPanel::neutralImage() const
{
    return isDecoded(0) ? m_decoded[0] : QImage();
}

bool TrajectoryPanel::isPlaying() const
{
    return m_cine->isActive();
}

void TrajectoryPanel::togglePlay()
{
    if (!hasTrajectory()) return;
    if (m_cine->isActive()) m_cine->stop();
    else m_cine->start();
    m_play->setChecked(m_cine->isActive());
    m_play->setText(m_cine->isActive() ? tr("Pause") : tr("Play"));
}

void TrajectoryPanel::showCurrent()
{
    if (!hasTrajectory()) return;
    const int f = currentFrame();
    const int last = frameCount() - 1;
    const double tau = last > 0 ? double(f) / last : 0.0;
    m_frameLabel->setText(tr("Frame %1 of %2 (tau %3) - %4")
                              .arg(f)
                              .arg(last)
                              .arg(numberText(tau, 'f', 2, locale()))
                              .arg(isDecoded(f) ? tr("decoded") : tr("preview, decoding...")));
    emit frameShown(f, frameImage(f), isDecoded(f));
}

void TrajectoryPanel::updateStrip()
{
    const int n = frameCount();
    const int thumbs = std::min(kStripThumbs, n);
    const QSignalBlocker block(m_strip);
    if (m_strip->count() != thumbs) {
        m_strip->clear();
        for (int i = 0; i < thumbs; ++i) {
            const int frame = thumbs > 1 ? qRound(double(i) * (n - 1) / (thumbs - 1)) : 0;
            auto* item = new QListWidgetItem(QString::number(frame), m_strip);
            item->setData(Qt::UserRole, frame);
        }
    }
    // Thumbnails at device resolution, so they stay sharp at 200 % scaling.
    const qreal dpr = m_strip->devicePixelRatioF();
    for (int i = 0; i < m_strip->count(); ++i) {
        auto* item = m_strip->item(i);
        const int frame = item->data(Qt::UserRole).toInt();
        QPixmap thumb = QPixmap::fromImage(
            frameImage(frame).scaled(m_strip->iconSize() * dpr, Qt::KeepAspectRatio, Qt::SmoothTransformation));
        thumb.setDevicePixelRatio(dpr);
        item->setIcon(thumb);
    }
}

}  // namespace mt::ui
