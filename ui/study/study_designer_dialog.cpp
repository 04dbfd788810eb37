// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/study/study_designer_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMetaObject>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/common/error.h"
#include "core/study/manifest.h"

namespace mt::ui {

namespace {
QHBoxLayout* withBrowse(QLineEdit* edit, QPushButton* browse)
{
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    return row;
}
}  // namespace

StudyDesignerDialog::StudyDesignerDialog(QWidget* parent, const QString& modelFolder) : QDialog(parent)
{
    setObjectName(QStringLiteral("StudyDesignerDialog"));
    setWindowTitle(tr("New Reader Study"));
    resize(720, 660);
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    layout->addLayout(form);

    m_model = new QLineEdit(modelFolder, this);
    m_model->setObjectName(QStringLiteral("model"));
    auto* browseModel = new QPushButton(tr("Browse..."), this);
    connect(browseModel, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Model Folder"), m_model->text());
        if (!d.isEmpty()) m_model->setText(d);
    });
    form->addRow(tr("Model folder:"), withBrowse(m_model, browseModel));
    m_title = new QLineEdit(this);
    m_title->setPlaceholderText(tr("default: the study folder's name"));
    form->addRow(tr("Title:"), m_title);
    m_findings = new QLineEdit(QStringLiteral("Pleural Effusion, Support Devices"), this);
    m_findings->setObjectName(QStringLiteral("findings"));
    m_findings->setToolTip(tr("Comma-separated; each finding becomes the attribute prompt through the template"));
    form->addRow(tr("Findings:"), m_findings);
    m_neutral = new QLineEdit(QStringLiteral("Normal chest X-ray with no significant findings"), this);
    form->addRow(tr("Neutral prompt:"), m_neutral);
    m_template = new QLineEdit(QStringLiteral("Chest X-ray showing {}"), this);
    m_template->setToolTip(tr("{} is replaced by the finding"));
    form->addRow(tr("Attribute prompt template:"), m_template);
    m_seeds = new QLineEdit(QStringLiteral("1500-1504"), this);
    m_seeds->setObjectName(QStringLiteral("seeds"));
    m_seeds->setToolTip(tr("Generated patients, e.g. 1500-1509 or 1500,1502,1510"));
    form->addRow(tr("Seeds:"), m_seeds);
    m_images = new QListWidget(this);
    m_images->setFixedHeight(64);
    auto* imageButtons = new QVBoxLayout;
    auto* addImages = new QPushButton(tr("Add images..."), this);
    auto* removeImage = new QPushButton(tr("Remove"), this);
    imageButtons->addWidget(addImages);
    imageButtons->addWidget(removeImage);
    connect(addImages, &QPushButton::clicked, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(this, tr("Images to import"), {},
                                                                tr("Images and DICOM (*.png *.jpg *.jpeg *.tif *.tiff *.dcm);;All files (*)"));
        m_images->addItems(files);
        updateCount();
    });
    connect(removeImage, &QPushButton::clicked, this, [this] {
        delete m_images->currentItem();
        updateCount();
    });
    auto* imageRow = new QHBoxLayout;
    imageRow->addWidget(m_images, 1);
    imageRow->addLayout(imageButtons);
    form->addRow(tr("Imported images (DICOM/PNG):"), imageRow);
    m_swaps = new QLineEdit(QStringLiteral("30,15,5"), this);
    m_swaps->setObjectName(QStringLiteral("swaps"));
    m_swaps->setToolTip(tr("Conditions: swap to the attribute prompt after step k; small k = strong edit (the paper uses 45..5)"));
    form->addRow(tr("Conditions, swap k:"), m_swaps);
    m_bezier = new QLineEdit(this);
    m_bezier->setObjectName(QStringLiteral("bezier"));
    m_bezier->setPlaceholderText(tr("optional, e.g. 0.5,1.0"));
    m_bezier->setToolTip(tr("Conditions: frames tau along the Bezier path through the paper's k grid"));
    form->addRow(tr("Conditions, Bezier tau:"), m_bezier);
    m_steps = new QSpinBox(this);
    m_steps->setObjectName(QStringLiteral("steps"));
    m_steps->setRange(2, 1000);
    m_steps->setValue(50);
    form->addRow(tr("Steps:"), m_steps);
    m_guidance = new QDoubleSpinBox(this);
    m_guidance->setRange(0.0, 30.0);
    m_guidance->setSingleStep(0.5);
    m_guidance->setValue(7.5);
    form->addRow(tr("Guidance:"), m_guidance);
    m_orderSeed = new QSpinBox(this);
    m_orderSeed->setRange(0, 2147483647);
    m_orderSeed->setValue(1);
    m_orderSeed->setToolTip(tr("Seeds the stimulus ids and every reader's trial order (recorded)"));
    form->addRow(tr("Randomisation seed:"), m_orderSeed);
    m_out = new QLineEdit(this);
    m_out->setObjectName(QStringLiteral("outFolder"));
    auto* browseOut = new QPushButton(tr("Browse..."), this);
    connect(browseOut, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Study Folder"), m_out->text());
        if (!d.isEmpty()) m_out->setText(d);
    });
    form->addRow(tr("Study folder:"), withBrowse(m_out, browseOut));
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("stimulusCount"));
    form->addRow(QString(), m_count);
    for (QLineEdit* e : {m_findings, m_seeds, m_swaps, m_bezier}) connect(e, &QLineEdit::textChanged, this, &StudyDesignerDialog::updateCount);

    layout->addStretch(1);
    m_progress = new QProgressBar(this);
    m_progress->setVisible(false);
    layout->addWidget(m_progress);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("designerStatus"));
    m_status->setWordWrap(true);
    m_status->setMinimumHeight(m_status->fontMetrics().lineSpacing() * 2 + 4);
    layout->addWidget(m_status);
    auto* buttons = new QDialogButtonBox(this);
    m_generate = buttons->addButton(tr("Generate stimuli"), QDialogButtonBox::AcceptRole);
    m_generate->setObjectName(QStringLiteral("generateStudyButton"));
    m_cancel = buttons->addButton(tr("Cancel generation"), QDialogButtonBox::ActionRole);
    m_cancel->setEnabled(false);
    auto* close = buttons->addButton(QDialogButtonBox::Close);
    close->setText(tr("Close"));
    connect(m_generate, &QPushButton::clicked, this, &StudyDesignerDialog::startGeneration);
    connect(m_cancel, &QPushButton::clicked, this, &StudyDesignerDialog::cancelGeneration);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    layout->addWidget(buttons);
    updateCount();
}

StudyDesignerDialog::~StudyDesignerDialog()
{
    m_token.cancel();
    if (m_worker.joinable()) m_worker.join();
}

study::StudyRecipe StudyDesignerDialog::recipe() const
{
    study::StudyRecipe r;
    r.modelDir = m_model->text().trimmed().toStdString();
    r.outDir = m_out->text().trimmed().toStdString();
    r.title = m_title->text().trimmed().toStdString();
    r.neutralPrompt = m_neutral->text().trimmed().toStdString();
    r.promptTemplate = m_template->text().trimmed().toStdString();
    r.findings = study::splitCommaList(m_findings->text().toStdString());
    r.seeds = study::parseSeedList(m_seeds->text().toStdString(), tr("Seeds").toStdString());
    for (int i = 0; i < m_images->count(); ++i) r.images.push_back(m_images->item(i)->text().toStdString());
    r.swaps = study::parseIntList(m_swaps->text().toStdString(), tr("Swap k").toStdString());
    r.bezierTaus = study::parseDoubleList(m_bezier->text().toStdString(), tr("Bezier tau").toStdString());
    r.steps = m_steps->value();
    r.guidance = m_guidance->value();
    r.orderSeed = static_cast<std::uint64_t>(m_orderSeed->value());
    return r;
}

void StudyDesignerDialog::updateCount()
{
    try {
        const auto r = recipe();
        m_count->setText(tr("%1 stimuli = %2 starts x %3 findings x %4 conditions")
                             .arg(r.stimulusCount())
                             .arg(r.seeds.size() + r.images.size())
                             .arg(r.findings.size())
                             .arg(r.swaps.size() + r.bezierTaus.size()));
    } catch (const std::exception& e) {
        m_count->setText(QString::fromUtf8(e.what()));
    }
}

void StudyDesignerDialog::startGeneration()
{
    if (m_running) return;
    study::StudyRecipe r;
    try {
        r = recipe();
        r.validate();
    } catch (const std::exception& e) {
        m_status->setText(tr("Cannot start: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    if (m_worker.joinable()) m_worker.join();
    m_running = true;
    m_token = CancelToken();
    m_generate->setEnabled(false);
    m_cancel->setEnabled(true);
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
    m_status->setText(tr("Loading the model..."));
    QPointer<StudyDesignerDialog> self(this);
    const CancelToken token = m_token;
    // The worker touches only the recipe copy and the token; results hop back as queued calls.
    m_worker = std::thread([self, r, token] {
        bool ok = false, cancelled = false;
        QString message;
        try {
            const auto result = study::makeStudy(
                r,
                [self](std::int64_t done, std::int64_t total, const std::string& status) {
                    const QString text = QString::fromStdString(status);
                    QMetaObject::invokeMethod(
                        self.data(),
                        [self, done, total, text] {
                            if (!self) return;
                            self->m_progress->setRange(0, 1000);
                            self->m_progress->setValue(total > 0 ? static_cast<int>(1000 * done / total) : 0);
                            self->m_status->setText(text);
                        },
                        Qt::QueuedConnection);
                },
                token);
            cancelled = result.cancelled;
            ok = !cancelled;
            message = QString::number(result.stimuli);
        } catch (const std::exception& e) {
            message = QString::fromUtf8(e.what());
        }
        const QString folder = QString::fromStdString(r.outDir);
        QMetaObject::invokeMethod(
            self.data(), [self, ok, cancelled, message, folder] {
                if (self) self->finishGeneration(ok, cancelled, message, folder);
            },
            Qt::QueuedConnection);
    });
}

void StudyDesignerDialog::finishGeneration(bool ok, bool cancelled, const QString& message, const QString& folder)
{
    m_running = false;
    m_generate->setEnabled(true);
    m_cancel->setEnabled(false);
    m_progress->setVisible(false);
    if (ok) {
        const QString text = tr("Wrote %1 stimuli to %2. Readers can now open it with Study > Read Study.")
                                 .arg(message, QDir::toNativeSeparators(folder));
        m_status->setText(text);
        emit studyCreated(folder);
        emit generationFinished(true, text);
    } else if (cancelled) {
        const QString text = tr("Cancelled. The folder holds no study.json and is not a usable study.");
        m_status->setText(text);
        emit generationFinished(false, text);
    } else {
        const QString text = tr("Generation failed: %1").arg(message);
        m_status->setText(text);
        emit generationFinished(false, text);
    }
}

void StudyDesignerDialog::cancelGeneration()
{
    if (!m_running) return;
    m_token.cancel();
    m_status->setText(tr("Cancelling at the next step..."));
}

void StudyDesignerDialog::reject()
{
    cancelGeneration();
    QDialog::reject();
}

}  // namespace mt::ui
