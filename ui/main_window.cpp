// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/main_window.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QImageReader>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include "ui/about_dialog.h"
#include "ui/attribute_panel.h"
#include "ui/compare_view.h"
#include "ui/number_text.h"
#include "ui/trajectory_panel.h"
#include "ui/trajectory_plots.h"
#include "core/common/durable_file.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/image/video_io.h"
#include "core/dicom/dicom_reader.h"
#include "core/dicom/dicom_writer.h"
#include "ui/engine_bridge.h"
#include "ui/image_view.h"
#include "ui/series_browser.h"
#include "ui/study/reading_session_window.h"
#include "ui/study/study_designer_dialog.h"
#include "ui/study/study_summary_widget.h"

namespace mt::ui {

namespace {

// Bumped when the docks change in a way an old saved layout would get wrong; restoreState() then
// ignores the old one and the window starts with the built-in layout.
constexpr int kLayoutVersion = 1;

// Puts a decoded DICOM frame into the view: grayscale at full precision with the file's window (or
// the frame's full range), colour as 8-bit RGB. `keepView` (another frame of the same file) keeps
// zoom, pan, the window the user set and the inversion, so stepping through frames compares like
// with like.
void showDicomFrame(ImageView& view, const dicom::PixelFrame& frame, bool keepView)
{
    const bool sameSize = keepView && view.hasImage() && view.imageSize() == QSize(frame.width, frame.height);
    const ImageView::ViewState state = view.viewState();
    const double center = view.windowCenter(), width = view.windowWidth();
    const bool wasGray = view.isGray(), inverted = view.isInverted();
    if (frame.channels == 1) {
        // Without a preset (or with a VOI LUT only) the full range of the frame, linear.
        const std::optional<dicom::WindowPreset> preset = dicom::defaultWindow(frame);
        const double c = preset ? preset->center : (double(frame.minValue) + frame.maxValue) / 2.0;
        const double w = preset ? preset->width : double(frame.maxValue) - frame.minValue + 1.0;
        view.setGrayImage(frame.values, frame.width, frame.height, c, w, frame.invertForDisplay);
    } else {
        const Image rgb = dicom::renderImage(frame);
        view.setImage(QImage(rgb.pixels.data(), rgb.width, rgb.height, rgb.width * rgb.channels,
                             rgb.channels == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8)
                          .copy());
    }
    if (!sameSize) return;
    if (wasGray && view.isGray()) {
        view.setWindow(center, width);
        view.setInverted(inverted);
    }
    view.setViewState(state);
}

// Files a drop or a multi-file scan treats as DICOM: *.dcm, *.dicom, DICOMDIR, or any file Qt cannot
// read as an image (DICOM files on media often have no extension).
bool looksLikeDicomFile(const QFileInfo& file)
{
    const QString suffix = file.suffix().toLower();
    return suffix == QLatin1String("dcm") || suffix == QLatin1String("dicom")
           || file.fileName().compare(QLatin1String("DICOMDIR"), Qt::CaseInsensitive) == 0
           || QImageReader::imageFormat(file.filePath()).isEmpty();
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("MedTraverse"));
    setObjectName(QStringLiteral("MainWindow"));
    resize(1200, 780);
    setAcceptDrops(true);
    m_engine = new EngineBridge(this);
    buildPanels();
    buildMenus();
    m_statusModel = new QLabel(this);
    m_imageInfo = new QLabel(this);
    m_imageInfo->setObjectName(QStringLiteral("imageInfo"));
    statusBar()->addPermanentWidget(m_imageInfo);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("busyIndicator"));
    m_progress->setMaximumWidth(220);
    m_progress->setVisible(false);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_statusModel);
    m_statusModel->setText(tr("No model loaded"));
    // Read before the model folder loads its own directions (which become the last file).
    const QString lastDirections = QSettings().value(QStringLiteral("sliders/file")).toString();
    loadSettings();
    if (m_modelFolder.isEmpty()) {
        const QString def = defaultModelFolder();
        if (!def.isEmpty()) setModelFolder(def);
    }
    // The direction file of the last session, even when the model brought its own: the user chose it.
    if (!lastDirections.isEmpty() && QFileInfo::exists(lastDirections) && m_attributes->directionFile() != lastDirections)
        loadDirections(lastDirections);

    updateModelPicker();

    connectEngine();
    connectTrajectory();
    restoreLayout();
    if (statusBar()->currentMessage().isEmpty()) statusBar()->showMessage(tr("Ready"));
}

QString MainWindow::defaultModelFolder()
{
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList candidates = {
        appDir + QStringLiteral("/../share/medtraverse/models/default"),
        appDir + QStringLiteral("/../resources/models/default"),
        appDir + QStringLiteral("/../../resources/models/default"),
        QStringLiteral(MT_SOURCE_DIR "/resources/models/default"),
    };
    for (const QString& c : candidates)
        if (QFileInfo::exists(c + QStringLiteral("/model_index.json")))
            return QDir(c).canonicalPath();
    return {};
}

QString MainWindow::modelFolderProblem(const QString& folder)
{
    const QFileInfo info(folder);
    if (folder.isEmpty() || !info.exists()) return tr("the folder does not exist");
    if (!info.isDir()) return tr("this is a file, not a folder");
    const QDir dir(folder);
    if (!QFileInfo::exists(dir.filePath(QStringLiteral("model_index.json"))))
        return tr("it is not a diffusers model folder (no model_index.json)");
    // The components every Stable Diffusion folder has (core/pipeline validateModelFolder); the weights
    // themselves are read by the engine, which names any problem with them.
    for (const char* part : {"tokenizer", "text_encoder", "unet", "vae", "scheduler"})
        if (!QFileInfo(dir.filePath(QLatin1String(part))).isDir())
            return tr("it has no '%1' folder").arg(QLatin1String(part));
    return {};
}

bool MainWindow::setModelFolder(const QString& folder)
{
    const QString problem = modelFolderProblem(folder);
    if (!problem.isEmpty()) {
        statusBar()->showMessage(tr("Cannot open the model folder %1: %2").arg(QDir::toNativeSeparators(folder), problem), 10000);
        updateModelPicker();
        return false;
    }
    m_modelFolder = QDir(folder).canonicalPath();
    rememberModelFolder(m_modelFolder);
    updateModelPicker();
    m_statusModel->setText(tr("Model: %1").arg(QFileInfo(m_modelFolder).fileName()));
    m_generateButton->setEnabled(true);
    // A model may ship its slider directions (the bundled one does).
    const QString directions = m_modelFolder + QStringLiteral("/directions.safetensors");
    if (QFileInfo::exists(directions)) loadDirections(directions);
    return true;
}

bool MainWindow::chooseModelFolder(const QString& folder)
{
    const QString problem = modelFolderProblem(folder);
    if (!problem.isEmpty()) {
        forgetModelFolder(folder);
        showModelError(folder, problem);
        updateModelPicker();
        return false;
    }
    return setModelFolder(folder);
}

void MainWindow::openModelFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), m_modelFolder);
    if (!dir.isEmpty()) chooseModelFolder(dir);
    updateModelPicker();
}

QStringList MainWindow::recentModelFolders() const
{
    QSettings s;
    const QStringList stored = s.value(QStringLiteral("model/recent")).toStringList();
    const QString def = defaultModelFolder();
    QStringList folders;
    for (const QString& f : stored) {
        // Moved, deleted or emptied since: not offered any more.
        if (!modelFolderProblem(f).isEmpty()) continue;
        const QString canonical = QDir(f).canonicalPath();
        if (canonical == def || folders.contains(canonical)) continue;
        folders << canonical;
        if (folders.size() == kMaxRecentModels) break;
    }
    if (folders != stored) s.setValue(QStringLiteral("model/recent"), folders);
    return folders;
}

void MainWindow::rememberModelFolder(const QString& folder)
{
    if (folder.isEmpty() || folder == defaultModelFolder()) return;  // always the picker's first entry
    QStringList folders = recentModelFolders();
    folders.removeAll(folder);
    folders.prepend(folder);
    while (folders.size() > kMaxRecentModels) folders.removeLast();
    QSettings().setValue(QStringLiteral("model/recent"), folders);
}

void MainWindow::forgetModelFolder(const QString& folder)
{
    QSettings s;
    QStringList folders = s.value(QStringLiteral("model/recent")).toStringList();
    const QString canonical = QDir(folder).canonicalPath();
    folders.removeAll(folder);
    if (!canonical.isEmpty()) folders.removeAll(canonical);
    s.setValue(QStringLiteral("model/recent"), folders);
}

void MainWindow::updateModelPicker()
{
    QComboBox* picker = m_modelPicker;
    picker->clear();
    auto add = [picker](const QString& text, const QString& folder, const QString& tip) {
        picker->addItem(text, folder);
        picker->setItemData(picker->count() - 1, tip, Qt::ToolTipRole);
    };
    const QString def = defaultModelFolder();
    if (!def.isEmpty())
        add(tr("Default (chest X-ray, dermoscopy)"), def,
            tr("The bundled model: 256 px chest X-rays and dermoscopy images\n%1").arg(QDir::toNativeSeparators(def)));
    QStringList folders = recentModelFolders();
    if (!m_modelFolder.isEmpty() && m_modelFolder != def && !folders.contains(m_modelFolder)) folders.prepend(m_modelFolder);
    // The folder's name; the parent's too when two recent folders share a name.
    QStringList names;
    for (const QString& f : folders) names << QFileInfo(f).fileName();
    for (int i = 0; i < folders.size(); ++i) {
        const QString parent = QFileInfo(QFileInfo(folders[i]).absolutePath()).fileName();
        add(names.count(names[i]) > 1 ? tr("%1 (in %2)").arg(names[i], parent) : names[i], folders[i],
            QDir::toNativeSeparators(folders[i]));
    }
    if (picker->count() > 0) picker->insertSeparator(picker->count());
    add(tr("Other folder..."), QString(), tr("Open any diffusers model folder (as File > Open Model Folder)"));
    const int current = m_modelFolder.isEmpty() ? -1 : picker->findData(m_modelFolder);
    picker->setCurrentIndex(current);
    picker->setToolTip(current >= 0 ? picker->itemData(current, Qt::ToolTipRole).toString() : QString());
}

void MainWindow::modelPicked(int index)
{
    const QString folder = m_modelPicker->itemData(index).toString();
    if (folder.isEmpty()) {
        // "Other folder...": the picker shows the model in use while the dialog is open; queued, so
        // the dialog's event loop does not run inside the combo box's signal.
        updateModelPicker();
        QTimer::singleShot(0, this, &MainWindow::openModelFolder);
        return;
    }
    if (folder != m_modelFolder) chooseModelFolder(folder);
    updateModelPicker();
}

void MainWindow::showModelError(const QString& folder, const QString& problem)
{
    const QString shown = QDir::toNativeSeparators(folder);
    statusBar()->showMessage(tr("Cannot open the model folder %1").arg(shown), 10000);
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Cannot open model"),
                                tr("The model folder %1 cannot be used:\n\n%2").arg(shown, problem), QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("modelErrorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // non-blocking, as the generation error
}

void MainWindow::modelLoadFailed(const QString& folder, const QString& message)
{
    forgetModelFolder(folder);
    showModelError(folder, message);
    // Back to the model the engine loaded last, else the bundled one.
    QString back = m_engineModel;
    if (back.isEmpty() || back == folder || !modelFolderProblem(back).isEmpty()) back = defaultModelFolder();
    if (!back.isEmpty() && back != folder && setModelFolder(back)) return;
    m_modelFolder.clear();
    m_generateButton->setEnabled(false);
    m_statusModel->setText(tr("No model loaded"));
    updateModelPicker();
}

void MainWindow::showAbout()
{
    AboutDialog dialog(this);
    dialog.exec();
}

void MainWindow::newSeed()
{
    m_seed->setValue(static_cast<int>(QRandomGenerator::global()->bounded(1, 2147483647)));
}

GenerationRequest MainWindow::baseRequest() const
{
    GenerationRequest r;
    r.modelFolder = m_modelFolder.toStdString();
    r.prompt = m_prompt->toPlainText().trimmed().toStdString();
    r.negativePrompt = m_negative->text().toStdString();
    r.steps = m_steps->value();
    r.guidance = m_guidance->value();
    r.sampler = m_sampler->currentData().toString().toStdString();
    r.seed = static_cast<std::uint64_t>(m_seed->value());
    r.sliders = m_attributes->activeSliders();
    r.sliderFrom = m_attributes->sliderFrom();
    return r;
}

void MainWindow::generate()
{
    if (m_modelFolder.isEmpty()) {
        statusBar()->showMessage(tr("Open a model folder first (File > Open Model Folder)"), 8000);
        return;
    }
    if (!m_seedLock->isChecked()) newSeed();
    m_engine->generate(baseRequest());
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);  // busy until the first step reports
    statusBar()->showMessage(tr("Generating..."));
    saveSettings();
}

void MainWindow::slidersChanged(bool dragging)
{
    if (m_modelFolder.isEmpty()) return;
    // The same patient: a slider never draws a new seed, locked or not.
    GenerationRequest r = baseRequest();
    r.preview = dragging;
    m_engine->generate(r);
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
}

GenerationRequest MainWindow::trajectoryRequest() const
{
    GenerationRequest r = baseRequest();
    const GenerationRequest t = m_trajectory->request();
    r.kind = t.kind;
    r.prompt = t.prompt;
    r.swapPrompt = t.swapPrompt;
    r.frames = t.frames;
    r.path = t.path;
    r.startImage = t.startImage;
    r.startFrame = t.startFrame;
    // The sliders stay (baseRequest): the engine applies them to both prompts of the swap, so the
    // trajectory's frame 0 is the slider-edited image on screen.
    // The plot needs the finding's classifier beside the model; without one the trajectory still runs.
    const QString classifier = QFileInfo(m_modelFolder).dir().filePath(
        QStringLiteral("classifier-%1/classifier.json").arg(QString::fromStdString(t.classifierKind)));
    r.classifierKind = QFileInfo::exists(classifier) ? t.classifierKind : std::string();
    return r;
}

void MainWindow::computeTrajectory()
{
    if (m_modelFolder.isEmpty()) {
        statusBar()->showMessage(tr("Open a model folder first (File > Open Model Folder)"), 8000);
        return;
    }
    const GenerationRequest r = trajectoryRequest();
    if (r.steps < 3) {
        statusBar()->showMessage(tr("A trajectory needs at least 3 steps"), 8000);
        return;
    }
    m_trajectory->clearTrajectory();
    m_plots->setProbabilities({}, {}, -1);
    m_lastTrajectory = r;
    m_engine->generate(r);
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
    statusBar()->showMessage(tr("Computing the trajectory..."));
    saveSettings();
}

void MainWindow::cancelGeneration()
{
    m_engine->cancel();
}

void MainWindow::showImage(const QImage& image, double seconds, bool preview)
{
    m_progress->setVisible(false);
    m_banner->setVisible(true);
    clearDicomFrames();
    m_imageInfo->clear();
    const QImage shown = EngineBridge::grayIfNeutral(image);
    if (!preview && !m_attributes->anyActive()) m_reference = shown;
    showEdited(shown);
    if (preview)
        statusBar()->showMessage(tr("Draft in %1 s - let go of the slider for the full image").arg(numberText(seconds, 'f', 2, locale())), 15000);
    else
        statusBar()->showMessage(tr("Generated %1x%2 in %3 s (seed %4)")
                                     .arg(image.width())
                                     .arg(image.height())
                                     .arg(numberText(seconds, 'f', 1, locale()))
                                     .arg(m_seed->value()),
                                 15000);
}

void MainWindow::showEdited(const QImage& image)
{
    m_edited = image;
    m_imageView->replaceImage(image);
    m_image = m_imageView->renderedImage();
    if (isCompareMode()) m_compare->setImages(m_reference, m_edited);
}

bool MainWindow::isCompareMode() const
{
    return m_centralStack->currentWidget() == m_compare;
}

void MainWindow::setCompareMode(bool on)
{
    m_centralStack->setCurrentWidget(on ? static_cast<QWidget*>(m_compare) : m_imageView);
    if (m_compareAction->isChecked() != on) m_compareAction->setChecked(on);
    if (on) m_compare->setImages(m_reference, m_edited);
}

void MainWindow::useAsReference()
{
    if (m_edited.isNull()) return;
    m_reference = m_edited;
    if (isCompareMode()) m_compare->setImages(m_reference, m_edited);
    statusBar()->showMessage(tr("The image on screen is now the reference of the compare view"), 8000);
}

bool MainWindow::loadDirections(const QString& file)
{
    const QString error = m_attributes->loadDirections(file);
    if (!error.isEmpty()) {
        statusBar()->showMessage(tr("Cannot load directions: %1").arg(error), 15000);
        return false;
    }
    QStringList names;
    QVector<double> ratios;
    for (const auto& d : m_attributes->info().directions)
        if (d.explainedVariance) {
            names << QString::fromStdString(d.name);
            ratios << *d.explainedVariance;
        }
    m_plots->setExplainedVariance(names, ratios);
    QSettings().setValue(QStringLiteral("sliders/file"), file);
    return true;
}

void MainWindow::connectEngine()
{
    connect(m_engine, &EngineBridge::loadingModel, this, [this](const QString& folder) {
        m_engineLoading = folder;
        statusBar()->showMessage(tr("Loading model %1...").arg(folder));
    });
    // The first result after a Loading event: that folder loaded.
    auto loaded = [this] {
        if (m_engineLoading.isEmpty()) return;
        m_engineModel = m_engineLoading;
        m_engineLoading.clear();
    };
    connect(m_engine, &EngineBridge::progressed, this, loaded);
    connect(m_engine, &EngineBridge::finished, this, loaded);
    connect(m_engine, &EngineBridge::trajectoryReady, this, loaded);
    connect(m_engine, &EngineBridge::cancelled, this, [this] { m_engineLoading.clear(); });
    connect(m_engine, &EngineBridge::progressed, this, [this](int step, int total, const QString& phase) {
        m_progress->setVisible(true);
        m_progress->setRange(0, total);
        m_progress->setValue(step);
        if (phase == QLatin1String("decode")) statusBar()->showMessage(tr("Decoding frame %1 of %2").arg(step).arg(total));
        else if (phase == QLatin1String("invert")) statusBar()->showMessage(tr("Inverting the image: step %1 of %2").arg(step).arg(total));
        else statusBar()->showMessage(tr("Denoising step %1 of %2").arg(step).arg(total));
    });
    connect(m_engine, &EngineBridge::finished, this, &MainWindow::showImage);
    connect(m_engine, &EngineBridge::modelFailed, this, [this](const QString& message) {
        m_progress->setVisible(false);
        // The engine could not load the folder it announced: the model is unusable, not the request.
        modelLoadFailed(std::exchange(m_engineLoading, QString()), message);
    });
    connect(m_engine, &EngineBridge::failed, this, [this](const QString& message) {
        m_progress->setVisible(false);
        m_engineLoading.clear();
        statusBar()->showMessage(tr("Generation failed"), 10000);
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Generation failed"), message, QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("generationErrorBox"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();  // non-blocking: the window keeps working (and tests are not stalled)
    });
    connect(m_engine, &EngineBridge::cancelled, this, [this]() {
        m_progress->setVisible(false);
        statusBar()->showMessage(tr("Cancelled"), 5000);
    });
    connect(m_engine, &EngineBridge::busyChanged, this, [this](bool busy) {
        m_cancelButton->setEnabled(busy);
        if (!busy) m_progress->setVisible(false);
    });
}

void MainWindow::updateTrajectorySliderNote()
{
    QStringList active;
    for (const auto& s : m_attributes->activeSliders())
        active << QString::fromStdString(s.name) + QLatin1Char(' ') + signedNumberText(s.value, 2, locale());
    m_trajectory->setActiveSliders(active);
}

void MainWindow::connectTrajectory()
{
    connect(m_attributes, &AttributePanel::slidersChanged, this, &MainWindow::slidersChanged);
    connect(m_attributes, &AttributePanel::slidersChanged, this, &MainWindow::updateTrajectorySliderNote);
    connect(m_attributes, &AttributePanel::directionsLoaded, this, &MainWindow::updateTrajectorySliderNote);
    connect(m_trajectory, &TrajectoryPanel::computeRequested, this, &MainWindow::computeTrajectory);
    connect(m_trajectory, &TrajectoryPanel::decodeRequested, this, [this](int frame) {
        if (m_lastTrajectory.kind != GenerationRequest::Kind::Trajectory) return;
        GenerationRequest r = m_lastTrajectory;
        r.focusFrame = frame;
        m_engine->generate(r);
    });
    connect(m_trajectory, &TrajectoryPanel::frameShown, this, [this](int frame, const QImage& image, bool) {
        m_banner->setVisible(true);
        clearDicomFrames();
        showEdited(EngineBridge::grayIfNeutral(image));
        m_plots->setCurrentFrame(frame);
    });
    connect(m_trajectory, &TrajectoryPanel::probabilitiesChanged, this, [this] {
        m_plots->setProbabilities(m_trajectory->findings(), m_trajectory->probabilities(), m_trajectory->targetFinding());
    });
    connect(m_engine, &EngineBridge::trajectoryReady, this, [this](const std::shared_ptr<const TrajectoryView>& view) {
        m_reference = EngineBridge::grayIfNeutral(EngineBridge::toQImage(view->controlImages.front()));
        QVector<int> swaps(view->swaps.begin(), view->swaps.end());
        QVector<double> cosines(view->cosines.begin(), view->cosines.end());
        m_plots->setCosines(swaps, cosines);
        m_trajectory->setTrajectory(view);
        m_trajectoryDock->setVisible(true);
        m_trajectoryDock->raise();   // it shares the bottom area with the series browser
    });
    connect(m_engine, &EngineBridge::frameDecoded, m_trajectory, &TrajectoryPanel::setFrame);
    connect(m_engine, &EngineBridge::trajectoryFinished, this,
            [this](const std::shared_ptr<const TrajectoryView>& view, double seconds) {
                m_progress->setVisible(false);
                m_trajectory->setTrajectory(view);
                QString text = tr("Trajectory: %1 frames in %2 s (denoising %3 s)")
                                   .arg(view->previews.size())
                                   .arg(numberText(seconds, 'f', 1, locale()))
                                   .arg(numberText(view->secondsDenoise, 'f', 1, locale()));
                if (view->secondsInversion > 0)
                    text += tr("; inversion %1 s, reconstruction PSNR %2 dB").arg(numberText(view->secondsInversion, 'f', 1, locale()), numberText(view->inversionPsnrDb, 'f', 1, locale()));
                statusBar()->showMessage(text, 20000);
            });
}

void MainWindow::showFileError(const QString& title, const QString& path, const QString& problem)
{
    statusBar()->showMessage(title, 10000);
    // Window-modal and non-blocking, so a failed open never stalls the event loop (or a test).
    auto* box = new QMessageBox(QMessageBox::Warning, title,
                                tr("'%1':\n%2").arg(QDir::toNativeSeparators(path), problem), QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("fileErrorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::openImageFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Image or DICOM"), QString(),
                                                      tr("DICOM and images (*.dcm *.dicom *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"));
    if (!path.isEmpty()) openImage(path);
}

bool MainWindow::openImage(const QString& path)
{
    const QString title = tr("Cannot open image");
    const QString suffix = QFileInfo(path).suffix().toLower();
    const bool isDicom = suffix == QLatin1String("dcm") || suffix == QLatin1String("dicom")
                         || QImageReader::imageFormat(path).isEmpty();
    if (!isDicom) {
        QImageReader reader(path);
        const QImage image = reader.read();
        if (image.isNull()) {
            showFileError(title, path, reader.errorString());
            return false;
        }
        m_imageView->setImage(image);
        m_image = m_imageView->renderedImage();
        clearDicomFrames();
        m_banner->setVisible(false);
        m_imageInfo->setText(tr("%1x%2").arg(image.width()).arg(image.height()));
        m_trajectory->setStartImageAvailable(path);
        statusBar()->showMessage(tr("Opened %1").arg(QFileInfo(path).fileName()), 8000);
        return true;
    }
    try {
        const std::string file = QFile::encodeName(path).toStdString();
        const dicom::DicomInstanceInfo info = dicom::readInstanceInfo(file);
        const dicom::PixelFrame frame = dicom::readFrame(file, 0);
        showDicomFrame(*m_imageView, frame, false);
        m_image = m_imageView->renderedImage();
        m_dicomSource = path;
        m_dicomFrame = 0;
        m_dicomFrames = std::max(1, info.frames);
        // A file we (or another tool) marked as synthetic keeps the banner.
        m_banner->setVisible(info.imageComments.rfind("SYNTHETIC", 0) == 0
                             || info.seriesDescription.rfind("SYNTHETIC", 0) == 0);
        QStringList parts;
        parts << (info.modality.empty() ? tr("no modality") : QString::fromStdString(info.modality));
        parts << tr("%1x%2").arg(frame.width).arg(frame.height);
        if (info.spacing)
            parts << tr("%1 x %2 mm").arg(numberText(info.spacing->row, 'g', 4, locale()), numberText(info.spacing->column, 'g', 4, locale()));
        parts << QString::fromStdString(info.photometric);
        m_dicomInfo = parts;
        updateDicomInfo();
        updateFrameControls();
        m_trajectory->setStartImageAvailable(path, 0);
        statusBar()->showMessage(tr("Opened %1").arg(QFileInfo(path).fileName()), 8000);
        return true;
    } catch (const Error& e) {
        showFileError(title, path, QString::fromStdString(e.what()));
    } catch (const std::exception& e) {
        showFileError(title, path, QString::fromStdString(e.what()));
    }
    return false;
}

bool MainWindow::setDicomFrame(int frame)
{
    if (m_dicomSource.isEmpty() || frame < 0 || frame >= m_dicomFrames) return false;
    if (frame == m_dicomFrame) return true;
    try {
        const dicom::PixelFrame pixels = dicom::readFrame(QFile::encodeName(m_dicomSource).toStdString(), frame);
        showDicomFrame(*m_imageView, pixels, true);
        m_image = m_imageView->renderedImage();
        m_dicomFrame = frame;
        updateDicomInfo();
        updateFrameControls();
        m_trajectory->setStartImageAvailable(m_dicomSource, frame);
        return true;
    } catch (const std::exception& e) {
        showFileError(tr("Cannot open image"), m_dicomSource, QString::fromStdString(e.what()));
    }
    updateFrameControls();   // back to the frame on screen
    return false;
}

void MainWindow::nextDicomFrame()
{
    setDicomFrame(m_dicomFrame + 1);
}

void MainWindow::previousDicomFrame()
{
    setDicomFrame(m_dicomFrame - 1);
}

QString MainWindow::imageInfoText() const
{
    return m_imageInfo->text();
}

void MainWindow::clearDicomFrames()
{
    m_dicomSource.clear();
    m_dicomFrame = 0;
    m_dicomFrames = 0;
    m_dicomInfo.clear();
    updateFrameControls();
}

void MainWindow::updateDicomInfo()
{
    QStringList parts = m_dicomInfo;
    if (m_dicomFrames > 1) parts << tr("frame %1 of %2").arg(m_dicomFrame + 1).arg(m_dicomFrames);
    m_imageInfo->setText(parts.join(QStringLiteral(" | ")));
}

void MainWindow::updateFrameControls()
{
    const bool multi = !m_dicomSource.isEmpty() && m_dicomFrames > 1;
    m_frameBar->setVisible(multi);
    if (!multi) return;
    const QSignalBlocker blockSpin(m_frameSpin);
    const QSignalBlocker blockSlider(m_frameSlider);
    m_frameSpin->setRange(1, m_dicomFrames);
    m_frameSpin->setValue(m_dicomFrame + 1);
    m_frameSlider->setRange(1, m_dicomFrames);
    m_frameSlider->setValue(m_dicomFrame + 1);
    m_frameCount->setText(tr("of %1").arg(m_dicomFrames));
}

void MainWindow::openDicomFolder()
{
    const QString last = QSettings().value(QStringLiteral("dicom/lastFolder")).toString();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open DICOM Folder"), last);
    if (dir.isEmpty()) return;
    QSettings().setValue(QStringLiteral("dicom/lastFolder"), dir);
    scanDicom(dir);
}

void MainWindow::scanDicom(const QString& path)
{
    if (!QFileInfo::exists(path)) {
        showFileError(tr("Cannot scan for DICOM files"), path, tr("the folder or file does not exist"));
        return;
    }
    m_browser->scanPath(path);
    m_browserDock->show();
    m_browserDock->raise();
}

void MainWindow::scanDicomFiles(const QStringList& paths)
{
    m_browser->scanFiles(paths);
    m_browserDock->show();
    m_browserDock->raise();
}

bool MainWindow::refuseRemoteUrls(const QList<QUrl>& urls)
{
    for (const QUrl& url : urls)
        if (!url.isLocalFile()) {
            statusBar()->showMessage(tr("Only local files can be opened; '%1' is not a local file").arg(url.toDisplayString()), 10000);
            return true;
        }
    return false;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || refuseRemoteUrls(urls)) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    bool local = !urls.isEmpty();
    for (const QUrl& url : urls) local = local && url.isLocalFile();
    if (local) event->acceptProposedAction();
    else event->ignore();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    if (openDroppedUrls(event->mimeData()->urls())) event->acceptProposedAction();
    else event->ignore();
}

bool MainWindow::openDroppedUrls(const QList<QUrl>& urls)
{
    if (urls.isEmpty() || refuseRemoteUrls(urls)) return false;
    QStringList paths;
    for (const QUrl& url : urls) paths << url.toLocalFile();
    if (paths.size() == 1) {
        const QFileInfo file(paths.front());
        if (file.isDir() || file.fileName().compare(QLatin1String("DICOMDIR"), Qt::CaseInsensitive) == 0) {
            scanDicom(file.filePath());
            return true;
        }
        return openImage(file.filePath());
    }
    bool anyDicom = false;
    for (const QString& p : paths) {
        const QFileInfo file(p);
        anyDicom = anyDicom || file.isDir() || looksLikeDicomFile(file);
    }
    if (anyDicom) {
        scanDicomFiles(paths);
        return true;
    }
    // Several plain images: the view shows one.
    if (!openImage(paths.front())) return false;
    statusBar()->showMessage(tr("Opened %1; the other %2 dropped images were not opened").arg(QFileInfo(paths.front()).fileName()).arg(paths.size() - 1), 10000);
    return true;
}

void MainWindow::exportImage()
{
    if (m_image.isNull()) {
        statusBar()->showMessage(tr("Nothing to export yet"), 5000);
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Image"), QString(),
                                                      tr("PNG image (*.png);;DICOM Secondary Capture (*.dcm)"));
    if (!path.isEmpty()) exportImageTo(path);
}

bool MainWindow::exportImageTo(const QString& path)
{
    const QString title = tr("Cannot export image");
    const QImage shown = m_imageView->renderedImage();
    if (shown.isNull()) {
        showFileError(title, path, tr("there is no image to export"));
        return false;
    }
    if (QFileInfo(path).suffix().toLower() != QLatin1String("dcm")) {
        if (!shown.save(path, "PNG")) {
            showFileError(title, path, tr("the file could not be written"));
            return false;
        }
        statusBar()->showMessage(tr("Exported %1").arg(QFileInfo(path).fileName()), 8000);
        return true;
    }
    try {
        const Image image = EngineBridge::fromQImage(shown);
        dicom::DerivationRecipe recipe;
        recipe.width = image.width;
        recipe.height = image.height;
        dicom::ExportOptions options;
        options.iod = dicom::ExportIod::SecondaryCapture;
        if (!m_dicomSource.isEmpty()) {
            options.sourcePath = QFile::encodeName(m_dicomSource).toStdString();
            options.sourceFrame = m_dicomFrame;
            recipe.sourceImage = options.sourcePath;
            recipe.notes = "windowed view: W " + std::to_string(m_imageView->windowWidth()) + " L "
                           + std::to_string(m_imageView->windowCenter());
            options.provenance = "exported from the MedTraverse viewer (windowed copy of the source image)";
            options.deidentify = m_deidentifyAction->isChecked();
        }
        dicom::writeDicom(QFile::encodeName(path).toStdString(), image, recipe, options);
        statusBar()->showMessage(tr("Exported %1").arg(QFileInfo(path).fileName()), 8000);
        return true;
    } catch (const std::exception& e) {
        showFileError(title, path, QString::fromStdString(e.what()));
    }
    return false;
}

void MainWindow::exportTrajectory()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export Trajectory to Folder"));
    if (!dir.isEmpty()) exportTrajectoryTo(dir);
}

bool MainWindow::exportTrajectoryTo(const QString& folder)
{
    const QString title = tr("Cannot export trajectory");
    if (!m_trajectory->hasTrajectory()) {
        showFileError(title, folder, tr("there is no trajectory yet (Compute trajectory first)"));
        return false;
    }
    std::vector<Image> frames;
    for (int f = 0; f < m_trajectory->frameCount(); ++f) {
        if (!m_trajectory->isDecoded(f)) {
            showFileError(title, folder, tr("frame %1 is still being decoded; export when the trajectory is finished").arg(f));
            return false;
        }
        frames.push_back(EngineBridge::fromQImage(m_trajectory->frameImage(f)));
    }
    try {
        QDir dir(folder);
        if (!dir.exists() && !QDir().mkpath(folder)) throw Error(ErrorCode::Io, "the folder cannot be created");
        for (std::size_t f = 0; f < frames.size(); ++f) {
            const QString name = dir.filePath(QStringLiteral("frame_%1.png").arg(f, 3, 10, QLatin1Char('0')));
            if (!m_trajectory->frameImage(static_cast<int>(f)).save(name, "PNG"))
                throw Error(ErrorCode::Io, "cannot write '" + QFile::encodeName(name).toStdString() + "'");
        }
        writeVideo(QFile::encodeName(dir.filePath(QStringLiteral("trajectory.mp4"))).toStdString(), frames, 12.5);
        const GenerationRequest& r = m_lastTrajectory;
        Json recipe = Json::object();
        recipe["what"] = Json("MedTraverse prompt-swap trajectory (synthetic images, not for diagnosis)");
        recipe["model"] = Json(r.modelFolder);
        recipe["neutral_prompt"] = Json(r.prompt);
        recipe["attribute_prompt"] = Json(r.swapPrompt);
        recipe["negative_prompt"] = Json(r.negativePrompt);
        recipe["seed"] = Json(r.seed);
        recipe["steps"] = Json(r.steps);
        recipe["guidance"] = Json(r.guidance);
        recipe["sampler"] = Json(r.sampler);
        Json swaps = Json::array();
        std::string swapList;
        for (int k : m_trajectory->view()->swaps) {
            swaps.push_back(Json(k));
            swapList += (swapList.empty() ? "" : ",") + std::to_string(k);
        }
        recipe["swaps"] = swaps;
        recipe["frames"] = Json(static_cast<int>(frames.size()));
        recipe["path"] = Json(r.path);
        recipe["start_image"] = Json(r.startImage);
        recipe["start_frame"] = Json(r.startFrame);   // 0-based DICOM frame of start_image
        // The direction sliders applied to every frame (the CLI line below does not apply them).
        Json sliders = Json::array();
        for (const auto& s : r.sliders) {
            Json slider = Json::object();
            slider["file"] = Json(s.file);
            slider["name"] = Json(s.name);
            slider["value"] = Json(s.value);
            sliders.push_back(slider);
        }
        recipe["sliders"] = sliders;
        recipe["slider_from"] = Json(r.sliderFrom);
        recipe["cli"] = Json("medtraverse-cli traverse --model '" + r.modelFolder + "' --seed " + std::to_string(r.seed)
                             + " --neutral '" + r.prompt + "' --attribute '" + r.swapPrompt + "' --steps "
                             + std::to_string(r.steps) + " --guidance " + QString::number(r.guidance).toStdString()
                             + " --swaps " + swapList + " --frames " + std::to_string(frames.size()) + " --out DIR");
        writeFileAtomic(QFile::encodeName(dir.filePath(QStringLiteral("recipe.json"))).toStdString(), recipe.dump(2) + "\n");
        statusBar()->showMessage(tr("Exported %1 frames, trajectory.mp4 and recipe.json to %2").arg(frames.size()).arg(folder), 10000);
        return true;
    } catch (const std::exception& e) {
        showFileError(title, folder, QString::fromStdString(e.what()));
    }
    return false;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    saveLayout();
    m_engine->cancel();
    QMainWindow::closeEvent(event);
}

void MainWindow::loadSettings()
{
    QSettings s;
    m_prompt->setPlainText(s.value(QStringLiteral("generate/prompt"),
                                   QStringLiteral("Normal chest X-ray with no significant findings")).toString());
    m_negative->setText(s.value(QStringLiteral("generate/negative")).toString());
    m_seed->setValue(s.value(QStringLiteral("generate/seed"), 1500).toInt());
    m_seedLock->setChecked(s.value(QStringLiteral("generate/seedLocked"), true).toBool());
    m_steps->setValue(s.value(QStringLiteral("generate/steps"), 20).toInt());
    m_guidance->setValue(s.value(QStringLiteral("generate/guidance"), 7.5).toDouble());
    const int idx = m_sampler->findData(s.value(QStringLiteral("generate/sampler"), QStringLiteral("ddim")));
    if (idx >= 0) m_sampler->setCurrentIndex(idx);
    const QString model = s.value(QStringLiteral("model/folder")).toString();
    if (!model.isEmpty() && QFileInfo::exists(model + QStringLiteral("/model_index.json"))) setModelFolder(model);
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("generate/prompt"), m_prompt->toPlainText());
    s.setValue(QStringLiteral("generate/negative"), m_negative->text());
    s.setValue(QStringLiteral("generate/seed"), m_seed->value());
    s.setValue(QStringLiteral("generate/seedLocked"), m_seedLock->isChecked());
    s.setValue(QStringLiteral("generate/steps"), m_steps->value());
    s.setValue(QStringLiteral("generate/guidance"), m_guidance->value());
    s.setValue(QStringLiteral("generate/sampler"), m_sampler->currentData());
    s.setValue(QStringLiteral("model/folder"), m_modelFolder);
}

void MainWindow::saveLayout() const
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState(kLayoutVersion));
}

void MainWindow::restoreLayout()
{
    const QSettings s;
    const QByteArray geometry = s.value(QStringLiteral("window/geometry")).toByteArray();
    if (!geometry.isEmpty()) restoreGeometry(geometry);
    const QByteArray state = s.value(QStringLiteral("window/state")).toByteArray();
    if (!state.isEmpty()) restoreState(state, kLayoutVersion);
}

void MainWindow::buildPanels()
{
    auto* central = new QWidget(this);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    // Always visible on generated content: these images must never pass for real radiographs.
    m_banner = new QLabel(tr("SYNTHETIC IMAGE - generated by a diffusion model, not for diagnosis"), central);
    m_banner->setObjectName(QStringLiteral("syntheticBanner"));
    m_banner->setAlignment(Qt::AlignCenter);
    m_banner->setStyleSheet(QStringLiteral("QLabel#syntheticBanner { background: #b3261e; color: white; font-weight: bold; padding: 4px; }"));
    m_banner->setVisible(false);
    m_imageView = new ImageView(central);
    m_imageView->setMinimumSize(512, 512);
    m_imageView->setPlaceholderText(tr("No image yet.\nGenerate an image or open a DICOM file to begin."));
    m_compare = new CompareView(central);
    m_centralStack = new QStackedWidget(central);
    m_centralStack->addWidget(m_imageView);
    m_centralStack->addWidget(m_compare);
    // Frames of a multi-frame DICOM file; hidden for everything else.
    m_frameBar = new QWidget(central);
    m_frameBar->setObjectName(QStringLiteral("frameBar"));
    auto* frameLayout = new QHBoxLayout(m_frameBar);
    frameLayout->setContentsMargins(6, 2, 6, 2);
    auto* frameLabel = new QLabel(tr("Frame"), m_frameBar);
    m_frameSpin = new QSpinBox(m_frameBar);
    m_frameSpin->setObjectName(QStringLiteral("frameSpin"));
    m_frameSpin->setToolTip(tr("DICOM frame on screen (Page Up / Page Down)"));
    m_frameCount = new QLabel(m_frameBar);
    m_frameSlider = new QSlider(Qt::Horizontal, m_frameBar);
    m_frameSlider->setObjectName(QStringLiteral("frameSlider"));
    m_frameSlider->setPageStep(1);
    m_frameSlider->setToolTip(m_frameSpin->toolTip());
    frameLabel->setBuddy(m_frameSpin);
    frameLayout->addWidget(frameLabel);
    frameLayout->addWidget(m_frameSpin);
    frameLayout->addWidget(m_frameCount);
    frameLayout->addWidget(m_frameSlider, 1);
    m_frameBar->setVisible(false);
    connect(m_frameSpin, &QSpinBox::valueChanged, this, [this](int value) { setDicomFrame(value - 1); });
    connect(m_frameSlider, &QSlider::valueChanged, this, [this](int value) { setDicomFrame(value - 1); });
    centralLayout->addWidget(m_banner);
    centralLayout->addWidget(m_centralStack, 1);
    centralLayout->addWidget(m_frameBar);
    setCentralWidget(central);

    auto* controls = new QWidget(this);
    auto* controlsLayout = new QVBoxLayout(controls);
    auto* form = new QFormLayout;
    controlsLayout->addLayout(form);
    controlsLayout->addStretch(1);  // keep the form compact at the top of the dock
    m_modelPicker = new QComboBox(controls);
    m_modelPicker->setObjectName(QStringLiteral("modelPicker"));
    // Long folder names must not widen the dock: the full path is in the tooltip.
    m_modelPicker->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_modelPicker->setMinimumContentsLength(12);
    m_modelPicker->setPlaceholderText(tr("(none)"));
    connect(m_modelPicker, &QComboBox::activated, this, &MainWindow::modelPicked);
    form->addRow(tr("Model:"), m_modelPicker);
    m_prompt = new QPlainTextEdit(controls);
    m_prompt->setObjectName(QStringLiteral("prompt"));
    m_prompt->setFixedHeight(80);
    m_prompt->setPlaceholderText(tr("Describe the image, e.g. Chest X-ray showing Pleural Effusion"));
    form->addRow(tr("Prompt:"), m_prompt);
    m_negative = new QLineEdit(controls);
    m_negative->setObjectName(QStringLiteral("negativePrompt"));
    m_negative->setPlaceholderText(tr("optional"));
    form->addRow(tr("Negative prompt:"), m_negative);
    auto* seedRow = new QHBoxLayout;
    m_seed = new QSpinBox(controls);
    m_seed->setObjectName(QStringLiteral("seed"));
    m_seed->setRange(0, 2147483647);
    auto* newSeedButton = new QPushButton(tr("New"), controls);
    newSeedButton->setToolTip(tr("Draw a new random seed"));
    connect(newSeedButton, &QPushButton::clicked, this, &MainWindow::newSeed);
    m_seedLock = new QCheckBox(tr("Lock"), controls);
    m_seedLock->setObjectName(QStringLiteral("seedLock"));
    m_seedLock->setToolTip(tr("Keep this seed (the same patient) for every generation"));
    seedRow->addWidget(m_seed, 1);
    seedRow->addWidget(newSeedButton);
    seedRow->addWidget(m_seedLock);
    form->addRow(tr("Seed:"), seedRow);
    m_steps = new QSpinBox(controls);
    m_steps->setObjectName(QStringLiteral("steps"));
    m_steps->setRange(1, 200);
    form->addRow(tr("Steps:"), m_steps);
    m_guidance = new QDoubleSpinBox(controls);
    m_guidance->setObjectName(QStringLiteral("guidance"));
    m_guidance->setRange(0.0, 30.0);
    m_guidance->setSingleStep(0.5);
    m_guidance->setDecimals(1);
    form->addRow(tr("Guidance:"), m_guidance);
    m_sampler = new QComboBox(controls);
    m_sampler->setObjectName(QStringLiteral("sampler"));
    const QStringList labels = {tr("DDIM"), tr("PNDM (PLMS)"), tr("Euler"), tr("DPM-Solver++ 2M"), tr("DPM-Solver++ 2M Karras")};
    const auto names = GenerationEngine::samplerNames();
    for (std::size_t i = 0; i < names.size(); ++i)
        m_sampler->addItem(i < static_cast<std::size_t>(labels.size()) ? labels[static_cast<int>(i)] : QString::fromStdString(names[i]),
                           QString::fromStdString(names[i]));
    form->addRow(tr("Sampler:"), m_sampler);
    auto* buttons = new QHBoxLayout;
    m_generateButton = new QPushButton(tr("Generate"), controls);
    m_generateButton->setObjectName(QStringLiteral("generateButton"));
    m_generateButton->setDefault(true);
    m_generateButton->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_generateButton->setToolTip(tr("Generate (Ctrl+Return)"));
    m_generateButton->setEnabled(false);
    connect(m_generateButton, &QPushButton::clicked, this, &MainWindow::generate);
    m_cancelButton = new QPushButton(tr("Cancel"), controls);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setEnabled(false);
    connect(m_cancelButton, &QPushButton::clicked, this, &MainWindow::cancelGeneration);
    buttons->addWidget(m_generateButton, 1);
    buttons->addWidget(m_cancelButton);
    form->addRow(buttons);
    m_controlsDock = new QDockWidget(tr("Model and Prompt"), this);
    m_controlsDock->setObjectName(QStringLiteral("controlsDock"));
    m_controlsDock->setWidget(controls);
    m_controlsDock->setMinimumWidth(300);
    addDockWidget(Qt::LeftDockWidgetArea, m_controlsDock);

    auto* attributes = new QWidget(this);
    auto* attrLayout = new QVBoxLayout(attributes);
    auto* slidersBox = new QGroupBox(tr("Sliders"), attributes);
    auto* slidersLayout = new QVBoxLayout(slidersBox);
    m_attributes = new AttributePanel(slidersBox);
    slidersLayout->addWidget(m_attributes);
    auto* trajectoryBox = new QGroupBox(tr("Trajectory (prompt swap)"), attributes);
    auto* trajectoryLayout = new QVBoxLayout(trajectoryBox);
    m_trajectory = new TrajectoryPanel(trajectoryBox);
    trajectoryLayout->addWidget(m_trajectory);
    attrLayout->addWidget(slidersBox, 1);
    attrLayout->addWidget(trajectoryBox);
    m_attributesDock = new QDockWidget(tr("Attributes"), this);
    m_attributesDock->setObjectName(QStringLiteral("attributesDock"));
    m_attributesDock->setWidget(attributes);
    m_attributesDock->setMinimumWidth(320);
    addDockWidget(Qt::RightDockWidgetArea, m_attributesDock);

    auto* bottom = new QWidget(this);
    auto* bottomLayout = new QHBoxLayout(bottom);
    bottomLayout->setContentsMargins(4, 0, 4, 0);
    m_plots = new TrajectoryPlots(bottom);
    m_trajectory->strip()->setParent(bottom);
    m_trajectory->strip()->setFixedHeight(QWIDGETSIZE_MAX);
    m_trajectory->strip()->setMinimumWidth(260);
    bottomLayout->addWidget(m_trajectory->strip(), 1);
    bottomLayout->addWidget(m_plots, 2);
    m_trajectoryDock = new QDockWidget(tr("Trajectory"), this);
    m_trajectoryDock->setObjectName(QStringLiteral("trajectoryDock"));
    m_trajectoryDock->setWidget(bottom);
    addDockWidget(Qt::BottomDockWidgetArea, m_trajectoryDock);

    // The series browser shares the bottom area (it needs the width for its columns) as a tab.
    m_browser = new SeriesBrowser(this);
    m_browserDock = new QDockWidget(tr("DICOM Series"), this);
    m_browserDock->setObjectName(QStringLiteral("seriesBrowserDock"));
    m_browserDock->setWidget(m_browser);
    addDockWidget(Qt::BottomDockWidgetArea, m_browserDock);
    tabifyDockWidget(m_trajectoryDock, m_browserDock);
    m_browserDock->hide();
    m_trajectoryDock->raise();
    connect(m_browser, &SeriesBrowser::instanceActivated, this, [this](const QString& path) { openImage(path); });
    connect(m_browser, &SeriesBrowser::scanStarted, this,
            [this](const QString& source) { statusBar()->showMessage(tr("Scanning %1...").arg(source)); });
    connect(m_browser, &SeriesBrowser::scanFailed, this, [this](const QString& source, const QString& message) {
        showFileError(tr("Cannot scan for DICOM files"), source, message);
    });
    connect(m_browser, &SeriesBrowser::scanFinished, this, [this](const QString& source, int instances, int unreadable) {
        if (instances == 0) {
            showFileError(tr("No DICOM images found"), source,
                          unreadable == 0 ? tr("there are no files to import")
                                          : tr("none of the files is a readable DICOM image; the DICOM Series panel says why for each (%1 files)").arg(unreadable));
            return;
        }
        statusBar()->showMessage(tr("%1: %2 DICOM instances, %3 unreadable files; double-click an instance to open it")
                                     .arg(source).arg(instances).arg(unreadable),
                                 15000);
    });
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* openImageAction = file->addAction(tr("&Open Image or DICOM..."), this, &MainWindow::openImageFile);
    openImageAction->setShortcut(QKeySequence::Open);
    QAction* openDicomFolderAction = file->addAction(tr("Open DICOM &Folder..."), this, &MainWindow::openDicomFolder);
    openDicomFolderAction->setObjectName(QStringLiteral("openDicomFolderAction"));
    openDicomFolderAction->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    QAction* exportAction = file->addAction(tr("&Export Image..."), this, &MainWindow::exportImage);
    exportAction->setShortcut(QKeySequence(tr("Ctrl+E")));
    m_deidentifyAction = file->addAction(tr("&De-identify DICOM Exports"));
    m_deidentifyAction->setObjectName(QStringLiteral("deidentifyAction"));
    m_deidentifyAction->setCheckable(true);
    m_deidentifyAction->setChecked(QSettings().value(QStringLiteral("export/deidentify"), true).toBool());
    m_deidentifyAction->setToolTip(tr("Replace the patient's name and ID and drop dates and source references in exported DICOM files"));
    connect(m_deidentifyAction, &QAction::toggled, this,
            [](bool on) { QSettings().setValue(QStringLiteral("export/deidentify"), on); });
    QAction* exportTraj = file->addAction(tr("Export &Trajectory (PNG, MP4, recipe)..."), this, &MainWindow::exportTrajectory);
    exportTraj->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
    QAction* openModel = file->addAction(tr("Open &Model Folder..."), this, &MainWindow::openModelFolder);
    openModel->setShortcut(QKeySequence(tr("Ctrl+Alt+O")));
    QAction* loadDirs = file->addAction(tr("&Load Directions..."), m_attributes, &AttributePanel::chooseFile);
    loadDirs->setShortcut(QKeySequence(tr("Ctrl+L")));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    m_compareAction = view->addAction(tr("&Compare Neutral | Edited | Difference"));
    m_compareAction->setObjectName(QStringLiteral("compareAction"));
    m_compareAction->setCheckable(true);
    m_compareAction->setShortcut(QKeySequence(tr("Ctrl+D")));
    connect(m_compareAction, &QAction::toggled, this, &MainWindow::setCompareMode);
    QAction* reference = view->addAction(tr("Use as &Reference"), this, &MainWindow::useAsReference);
    reference->setShortcut(QKeySequence(tr("Ctrl+R")));
    QAction* fit = view->addAction(tr("&Fit to Window"), m_imageView, &ImageView::fitToWindow);
    fit->setShortcut(QKeySequence(tr("Ctrl+0")));
    QAction* resetWindow = view->addAction(tr("Reset &Window/Level"), m_imageView, &ImageView::resetWindow);
    resetWindow->setShortcut(QKeySequence(tr("Ctrl+Shift+R")));
    QMenu* presets = view->addMenu(tr("Window &Presets"));
    const std::pair<QString, ImageView::WindowPreset> presetList[] = {
        {tr("File Window"), ImageView::WindowPreset::FileWindow},
        {tr("Full Range"), ImageView::WindowPreset::FullRange},
        {tr("Auto (1st to 99th percentile)"), ImageView::WindowPreset::Auto},
        {tr("High Contrast"), ImageView::WindowPreset::HighContrast},
    };
    int presetKey = 1;
    for (const auto& [label, preset] : presetList) {
        QAction* a = presets->addAction(label, this, [this, preset = preset] { m_imageView->applyWindowPreset(preset); });
        a->setShortcut(QKeySequence(QStringLiteral("Alt+%1").arg(presetKey++)));
    }
    QAction* invert = view->addAction(tr("&Invert Gray Scale"), this, [this] { m_imageView->setInverted(!m_imageView->isInverted()); });
    invert->setShortcut(QKeySequence(tr("Ctrl+I")));
    view->addSeparator();
    QAction* play = view->addAction(tr("&Play/Pause Trajectory"), m_trajectory, &TrajectoryPanel::togglePlay);
    play->setShortcut(QKeySequence(tr("Ctrl+Space")));
    QAction* next = view->addAction(tr("&Next Frame"), this, [this] { m_trajectory->setCurrentFrame(m_trajectory->currentFrame() + 1); });
    next->setShortcut(QKeySequence(tr("Ctrl+Right")));
    QAction* previous = view->addAction(tr("P&revious Frame"), this, [this] { m_trajectory->setCurrentFrame(m_trajectory->currentFrame() - 1); });
    previous->setShortcut(QKeySequence(tr("Ctrl+Left")));
    QAction* compute = view->addAction(tr("Compute &Trajectory"), this, &MainWindow::computeTrajectory);
    compute->setShortcut(QKeySequence(tr("Ctrl+T")));
    view->addSeparator();
    // Page Up / Page Down only while the image area has the focus: elsewhere they page sliders and lists.
    QAction* nextDicom = view->addAction(tr("Next DICOM Frame"), this, &MainWindow::nextDicomFrame);
    nextDicom->setShortcut(QKeySequence(Qt::Key_PageDown));
    nextDicom->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction* previousDicom = view->addAction(tr("Previous DICOM Frame"), this, &MainWindow::previousDicomFrame);
    previousDicom->setShortcut(QKeySequence(Qt::Key_PageUp));
    previousDicom->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    centralWidget()->addAction(nextDicom);
    centralWidget()->addAction(previousDicom);
    view->addSeparator();
    view->addAction(m_controlsDock->toggleViewAction());
    view->addAction(m_attributesDock->toggleViewAction());
    view->addAction(m_trajectoryDock->toggleViewAction());
    view->addAction(m_browserDock->toggleViewAction());

    QMenu* studyMenu = menuBar()->addMenu(tr("&Study"));
    studyMenu->addAction(tr("&New Study..."), this, &MainWindow::newStudy);
    studyMenu->addAction(tr("&Read Study..."), this, &MainWindow::readStudy);
    studyMenu->addAction(tr("Study &Summary..."), this, &MainWindow::showStudySummary);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About MedTraverse"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::newStudy()
{
    auto* dialog = new StudyDesignerDialog(this, m_modelFolder);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::readStudy()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Study Folder"));
    if (dir.isEmpty()) return;
    auto* window = new ReadingSessionWindow(dir, this);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->show();
}

void MainWindow::showStudySummary()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Study Folder"));
    if (dir.isEmpty()) return;
    auto* widget = new StudySummaryWidget(dir, this);
    widget->setAttribute(Qt::WA_DeleteOnClose);
    widget->show();
}

}  // namespace mt::ui
