// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/attribute_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

#include "core/common/error.h"
#include "ui/number_text.h"

namespace mt::ui {

namespace {
constexpr int kTicks = 100;  // slider positions per unit of range on each side
constexpr double kDefaultRange = 2.0;
constexpr int kDefaultFromIndex = 2;  // 20 % of the steps
}

double AttributePanel::Row::value() const
{
    return range->value() * slider->value() / double(kTicks);
}

AttributePanel::AttributePanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("attributePanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    m_fileLabel = new QLabel(tr("No directions loaded"), this);
    m_fileLabel->setObjectName(QStringLiteral("directionFileLabel"));
    m_fileLabel->setWordWrap(true);
    auto* load = new QPushButton(tr("Load..."), this);
    load->setToolTip(tr("Load a direction file made by medtraverse-cli directions (prompt pairs, PCA, ...)"));
    connect(load, &QPushButton::clicked, this, &AttributePanel::chooseFile);
    auto* reset = new QPushButton(tr("Reset all"), this);
    reset->setObjectName(QStringLiteral("resetAllSliders"));
    reset->setToolTip(tr("Every unlocked slider back to 0"));
    connect(reset, &QPushButton::clicked, this, &AttributePanel::resetAll);
    top->addWidget(m_fileLabel, 1);
    top->addWidget(load);
    top->addWidget(reset);
    layout->addLayout(top);
    auto* fromRow = new QHBoxLayout;
    m_from = new QComboBox(this);
    m_from->setObjectName(QStringLiteral("sliderFrom"));
    for (int percent : {0, 10, 20, 30, 50})
        m_from->addItem(percent == 0 ? tr("the first step") : tr("%1 % of the steps").arg(percent), percent / 100.0);
    m_from->setCurrentIndex(kDefaultFromIndex);
    m_from->setToolTip(tr("Steps before this point use the plain prompt, as in the paper's late prompt swap: the "
                          "first steps fix the anatomy, so a later start keeps more of it"));
    connect(m_from, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        saveFileSettings();
        if (anyActive()) emit slidersChanged(false);
    });
    fromRow->addWidget(new QLabel(tr("Sliders act from"), this));
    fromRow->addWidget(m_from, 1);
    layout->addLayout(fromRow);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* rows = new QWidget(scroll);
    m_rowsLayout = new QVBoxLayout(rows);
    m_rowsLayout->setContentsMargins(0, 0, 0, 0);
    m_empty = new QLabel(tr("Load a direction file to get one slider per finding. The bundled model's file loads by "
                            "itself; make others with medtraverse-cli directions prompt-pair or pca."),
                         rows);
    m_empty->setWordWrap(true);
    m_rowsLayout->addWidget(m_empty);
    m_rowsLayout->addStretch(1);
    scroll->setWidget(rows);
    layout->addWidget(scroll, 1);

    m_settle = new QTimer(this);
    m_settle->setSingleShot(true);
    m_settle->setInterval(120);
    connect(m_settle, &QTimer::timeout, this, [this] { emit slidersChanged(false); });
}

QString AttributePanel::describe(const traversal::DirectionInfo& d)
{
    QStringList parts;
    if (d.kind == traversal::kKindPromptPair) parts << tr("prompt pair");
    else if (d.kind == traversal::kKindPcaText) parts << tr("text PCA");
    else if (d.kind == traversal::kKindOrthogonalized) parts << tr("orthogonalised");
    else if (d.kind == traversal::kKindPcaH) parts << tr("h-space PCA");
    else if (d.kind == traversal::kKindJacobianH) parts << tr("Jacobian direction");
    else parts << QString::fromStdString(d.kind);
    if (d.explainedVariance) parts << tr("%1 % of variance").arg(numberText(100.0 * *d.explainedVariance, 'f', 1));
    if (d.singularValue) parts << tr("sigma %1").arg(numberText(*d.singularValue, 'g', 3));
    if (!d.classifierFindings.empty())
        parts << tr("cleaned of %1").arg(QString::fromStdString(d.classifierFindings.front()))
                     + (d.classifierFindings.size() > 1 ? QStringLiteral(" +%1").arg(d.classifierFindings.size() - 1) : QString());
    if (!d.label.empty())
        parts << (d.labelCorrelation ? tr("moves %1 (r = %2)").arg(QString::fromStdString(d.label)).arg(numberText(*d.labelCorrelation, 'f', 2))
                                     : tr("moves %1").arg(QString::fromStdString(d.label)));
    return parts.join(QStringLiteral(" · "));
}

void AttributePanel::clearRows()
{
    for (auto& r : m_rows) delete r.widget;
    m_rows.clear();
}

void AttributePanel::addRow(const traversal::DirectionInfo& d)
{
    Row row;
    row.name = QString::fromStdString(d.name);
    row.scale = d.scale;
    row.widget = new QWidget(m_empty->parentWidget());
    row.widget->setObjectName(QStringLiteral("sliderRow_") + row.name);
    auto* grid = new QGridLayout(row.widget);
    grid->setContentsMargins(2, 4, 2, 4);
    auto* title = new QLabel(QStringLiteral("<b>%1</b>").arg(row.name.toHtmlEscaped()), row.widget);
    auto* detail = new QLabel(describe(d), row.widget);
    detail->setStyleSheet(QStringLiteral("color: palette(mid);"));
    detail->setWordWrap(true);
    row.slider = new QSlider(Qt::Horizontal, row.widget);
    row.slider->setObjectName(QStringLiteral("slider_") + row.name);
    row.slider->setRange(-kTicks, kTicks);
    row.slider->setPageStep(kTicks / 4);
    row.slider->setAccessibleName(row.name);
    row.valueLabel = new QLabel(signedNumberText(0.0, 2, locale()), row.widget);
    row.valueLabel->setObjectName(QStringLiteral("sliderValue_") + row.name);
    row.valueLabel->setMinimumWidth(44);
    row.range = new QDoubleSpinBox(row.widget);
    row.range->setRange(0.25, 20.0);
    row.range->setSingleStep(0.25);
    row.range->setValue(kDefaultRange);
    row.range->setPrefix(QStringLiteral("±"));
    row.range->setToolTip(tr("Slider range: the ends move the embedding by this many units of the direction"));
    auto* reset = new QToolButton(row.widget);
    reset->setText(QStringLiteral("↺"));
    reset->setToolTip(tr("Back to 0"));
    row.lock = new QCheckBox(tr("Lock"), row.widget);
    row.lock->setToolTip(tr("Keep this value: the slider cannot move and Reset all leaves it"));
    grid->addWidget(title, 0, 0, 1, 2);
    grid->addWidget(row.range, 0, 2);
    grid->addWidget(row.lock, 0, 3);
    grid->addWidget(row.slider, 1, 0);
    grid->addWidget(row.valueLabel, 1, 1);
    grid->addWidget(reset, 1, 2);
    grid->addWidget(detail, 2, 0, 1, 4);
    grid->setColumnStretch(0, 1);

    QSlider* slider = row.slider;
    QDoubleSpinBox* range = row.range;
    QLabel* label = row.valueLabel;
    auto showValue = [slider, range, label] {
        label->setText(signedNumberText(range->value() * slider->value() / double(kTicks), 2, label->locale()));
    };
    connect(slider, &QSlider::valueChanged, this, [this, slider, showValue] {
        showValue();
        if (slider->isSliderDown()) emit slidersChanged(true);
        else m_settle->start();
    });
    connect(slider, &QSlider::sliderReleased, this, [this] {
        m_settle->stop();
        emit slidersChanged(false);
    });
    connect(range, &QDoubleSpinBox::valueChanged, this, [this, slider, showValue] {
        showValue();
        saveFileSettings();
        if (slider->value() != 0) m_settle->start();
    });
    connect(reset, &QToolButton::clicked, slider, [slider] { slider->setValue(0); });
    connect(row.lock, &QCheckBox::toggled, this, [this, slider, reset, range](bool locked) {
        slider->setEnabled(!locked);
        reset->setEnabled(!locked);
        range->setEnabled(!locked);
        saveFileSettings();
    });
    m_rowsLayout->insertWidget(m_rowsLayout->count() - 1, row.widget);
    m_rows.push_back(row);
}

QString AttributePanel::loadDirections(const QString& file)
{
    try {
        auto info = traversal::readDirectionSetInfo(QFile::encodeName(file).toStdString());
        if (info.directions.empty()) return tr("'%1' holds no directions").arg(file);
        clearRows();
        m_info = std::move(info);
        m_file = file;
        for (const auto& d : m_info.directions) addRow(d);
        restoreFileSettings();
        m_empty->setVisible(false);
        m_fileLabel->setText(tr("%1 (directions: %2)").arg(QFileInfo(file).fileName()).arg(sliderCount()));
        m_fileLabel->setToolTip(file);
        emit directionsLoaded(file);
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

void AttributePanel::chooseFile()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Load Directions"), QFileInfo(m_file).absolutePath(),
                                                      tr("Direction files (*.safetensors);;All files (*)"));
    if (file.isEmpty()) return;
    const QString error = loadDirections(file);
    if (!error.isEmpty()) m_fileLabel->setText(tr("Could not load: %1").arg(error));
}

std::vector<SliderRequest> AttributePanel::activeSliders() const
{
    std::vector<SliderRequest> out;
    for (const auto& r : m_rows)
        if (r.slider->value() != 0) out.push_back({QFile::encodeName(m_file).toStdString(), r.name.toStdString(), r.value()});
    return out;
}

const AttributePanel::Row* AttributePanel::find(const QString& name) const
{
    for (const auto& r : m_rows)
        if (r.name == name) return &r;
    return nullptr;
}

double AttributePanel::value(const QString& name) const
{
    const Row* r = find(name);
    return r ? r->value() : 0.0;
}

void AttributePanel::setValue(const QString& name, double value)
{
    if (const Row* r = find(name)) r->slider->setValue(qRound(value / r->range->value() * kTicks));
}

QSlider* AttributePanel::slider(const QString& name) const
{
    const Row* r = find(name);
    return r ? r->slider : nullptr;
}

void AttributePanel::setLocked(const QString& name, bool locked)
{
    if (const Row* r = find(name)) r->lock->setChecked(locked);
}

bool AttributePanel::isLocked(const QString& name) const
{
    const Row* r = find(name);
    return r && r->lock->isChecked();
}

double AttributePanel::range(const QString& name) const
{
    const Row* r = find(name);
    return r ? r->range->value() : 0.0;
}

void AttributePanel::setRange(const QString& name, double range)
{
    if (const Row* r = find(name)) r->range->setValue(range);
}

QString AttributePanel::settingsGroup(const QString& file)
{
    const QFileInfo info(file);
    const QString path = info.canonicalFilePath().isEmpty() ? info.absoluteFilePath() : info.canonicalFilePath();
    return QStringLiteral("sliders/files/")
           + QString::fromLatin1(QCryptographicHash::hash(path.toUtf8(), QCryptographicHash::Sha1).toHex());
}

void AttributePanel::saveFileSettings() const
{
    if (m_restoring || m_file.isEmpty()) return;
    QSettings s;
    s.beginGroup(settingsGroup(m_file));
    s.setValue(QStringLiteral("path"), QFileInfo(m_file).absoluteFilePath());   // for a person reading the file
    // Maps keyed by direction name: names may hold any character, QSettings keys may not.
    QVariantMap ranges;
    QStringList locked;
    for (const auto& r : m_rows) {
        ranges.insert(r.name, r.range->value());
        if (r.lock->isChecked()) locked << r.name;
    }
    s.setValue(QStringLiteral("ranges"), ranges);
    s.setValue(QStringLiteral("locked"), locked);
    s.setValue(QStringLiteral("actFrom"), sliderFrom());
}

void AttributePanel::restoreFileSettings()
{
    m_restoring = true;
    QSettings s;
    s.beginGroup(settingsGroup(m_file));
    const QVariantMap ranges = s.value(QStringLiteral("ranges")).toMap();
    const QStringList locked = s.value(QStringLiteral("locked")).toStringList();
    for (auto& r : m_rows) {
        r.range->setValue(ranges.value(r.name, kDefaultRange).toDouble());
        r.lock->setChecked(locked.contains(r.name));
    }
    // A file seen for the first time gets the default, not the previous file's choice.
    if (s.contains(QStringLiteral("actFrom"))) setSliderFrom(s.value(QStringLiteral("actFrom")).toDouble());
    else m_from->setCurrentIndex(kDefaultFromIndex);
    m_restoring = false;
}

double AttributePanel::sliderFrom() const
{
    return m_from->currentData().toDouble();
}

void AttributePanel::setSliderFrom(double fraction)
{
    int best = 0;
    for (int i = 0; i < m_from->count(); ++i)
        if (std::abs(m_from->itemData(i).toDouble() - fraction) < std::abs(m_from->itemData(best).toDouble() - fraction)) best = i;
    m_from->setCurrentIndex(best);
}

void AttributePanel::resetAll()
{
    bool changed = false;
    for (auto& r : m_rows) {
        if (r.lock->isChecked() || r.slider->value() == 0) continue;
        const QSignalBlocker block(r.slider);
        r.slider->setValue(0);
        r.valueLabel->setText(signedNumberText(0.0, 2, r.valueLabel->locale()));
        changed = true;
    }
    if (changed) emit slidersChanged(false);
}

}  // namespace mt::ui
