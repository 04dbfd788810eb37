// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QImage>
#include <QMainWindow>

#include "core/engine/engine.h"

class QComboBox;
class QDockWidget;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QCheckBox;
class QStackedWidget;
class QUrl;

namespace mt::ui {

class AttributePanel;
class CompareView;
class EngineBridge;
class ImageView;
class SeriesBrowser;
class TrajectoryPanel;
class TrajectoryPlots;

// Responsibility: the clinician's main window: menus, status bar, the model panel, the image area
// and the attribute panel. Ownership: owns its widgets (Qt parent tree). Thread: GUI only.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Points the window at a diffusers model folder; returns false (and says why in the status bar)
    // when the folder is not one (see modelFolderProblem). A folder other than the bundled default
    // goes to the top of the recent list (QSettings model/recent). The engine loads the weights with
    // the next request; if that fails, the window says so and goes back to the model it had loaded.
    bool setModelFolder(const QString& folder);
    QString modelFolder() const { return m_modelFolder; }
    // What keeps `folder` from being a diffusers model folder (no folder, no model_index.json, a
    // component folder missing), translated; empty when it looks like one.
    static QString modelFolderProblem(const QString& folder);

    // The model picker of the Model and Prompt panel: the bundled default first, then the recent
    // folders, then "Other folder..." (the folder dialog of File > Open Model Folder).
    QComboBox* modelPicker() const { return m_modelPicker; }
    // Model folders opened before (canonical paths, newest first, at most kMaxRecentModels, the
    // default left out); folders that no longer hold a model are dropped from the settings as well.
    QStringList recentModelFolders() const;
    static constexpr int kMaxRecentModels = 8;

    // The bundled default model (resources/models/default next to the executable or in the source
    // tree), or an empty string when it is not installed.
    static QString defaultModelFolder();

    // The image on screen as displayed (windowed; null before the first image); for tests and export.
    QImage currentImage() const { return m_image; }
    ImageView* imageView() const { return m_imageView; }

    // Opens a DICOM file (first frame, the file's own window) or an image file (PNG, ...) in the view.
    // On failure shows a message box naming the file and the cause, and returns false.
    bool openImage(const QString& path);
    // The DICOM file on screen (empty for generated or non-DICOM images), its frame (0-based) and
    // number of frames (0 without a DICOM file).
    QString dicomSource() const { return m_dicomSource; }
    int dicomFrame() const { return m_dicomFrame; }
    int dicomFrameCount() const { return m_dicomFrames; }
    // Shows frame `frame` (0-based) of the DICOM file on screen, keeping zoom, pan, window/level and
    // inversion; it becomes the trajectory's start frame. False (nothing changes) when out of range
    // or without a DICOM file; a decoding error is shown as for openImage().
    bool setDicomFrame(int frame);
    // The text of the image information in the status bar ("CT | 128x128 | ... | frame 1 of 2").
    QString imageInfoText() const;
    // Scans a folder, a DICOMDIR or a file into the DICOM series browser (off the GUI thread) and shows
    // the browser; a path that does not exist is reported (message box) and not scanned.
    void scanDicom(const QString& path);
    // Scans several files and folders (e.g. a drop) into the series browser.
    void scanDicomFiles(const QStringList& paths);
    SeriesBrowser* seriesBrowser() const { return m_browser; }
    QDockWidget* seriesBrowserDock() const { return m_browserDock; }
    // The request Compute trajectory posts (settings of every panel; start image and frame, active
    // sliders and "act from" included).
    GenerationRequest trajectoryRequest() const;
    // Writes the image as displayed (windowed, full resolution): PNG for most names, a DICOM Secondary
    // Capture (marked SYNTHETIC/DERIVED by the writer) for *.dcm. Errors as for openImage().
    // DICOM exports are de-identified (PS3.15 basic profile) unless the user unticked File > De-identify.
    bool exportImageTo(const QString& path);
    // Writes the computed trajectory into `folder`: frame_000.png ..., trajectory.mp4 (12.5 frames per
    // second) and recipe.json (everything needed to compute it again). Refuses while frames are still
    // decoding or without a trajectory; errors as for openImage().
    bool exportTrajectoryTo(const QString& folder);
    EngineBridge* engine() const { return m_engine; }
    AttributePanel* attributePanel() const { return m_attributes; }
    TrajectoryPanel* trajectoryPanel() const { return m_trajectory; }
    TrajectoryPlots* plots() const { return m_plots; }
    CompareView* compareView() const { return m_compare; }
    bool isCompareMode() const;
    // The reference of the compare view: the last image made with every slider at 0, or a
    // trajectory's neutral frame, or what "Use as Reference" picked.
    QImage referenceImage() const { return m_reference; }
    // Loads a direction file into the sliders (also the PCA plot); errors go to the status bar.
    bool loadDirections(const QString& file);

public slots:
    // File > Open Model Folder and the picker's "Other folder...": a folder dialog, then
    // chooseModelFolder().
    void openModelFolder();
    // The user picked a model folder: setModelFolder(), and when the folder is not a model a message
    // box (object name "modelErrorBox") naming it; the picker then shows the model still in use.
    bool chooseModelFolder(const QString& folder);
    void openImageFile();
    // File > Open DICOM Folder: a folder dialog starting at the last folder used (QSettings).
    void openDicomFolder();
    void nextDicomFrame();
    void previousDicomFrame();
    void exportImage();
    void exportTrajectory();
    void showAbout();
    void generate();
    void cancelGeneration();
    void newSeed();
    // A slider moved: a draft while dragging, the full image once settled (seed kept).
    void slidersChanged(bool dragging);
    void computeTrajectory();
    void setCompareMode(bool on);
    void useAsReference();
    // Study menu (issue 9): designer, reading session and summary of a reader study.
    void newStudy();
    void readStudy();
    void showStudySummary();

protected:
    void closeEvent(QCloseEvent* event) override;
    // Drops: a folder or DICOMDIR is scanned into the series browser, one file is opened, several
    // files are scanned when any looks like DICOM. Only local files; anything else is refused with a
    // status-bar message.
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void buildPanels();
    void showImage(const QImage& image, double seconds, bool preview);
    void showEdited(const QImage& image);   // main view + compare view
    GenerationRequest baseRequest() const;
    void connectEngine();
    void connectTrajectory();
    void showFileError(const QString& title, const QString& path, const QString& problem);
    void loadSettings();
    bool openDroppedUrls(const QList<QUrl>& urls);
    bool refuseRemoteUrls(const QList<QUrl>& urls);
    void clearDicomFrames();            // the image on screen is no DICOM file (anymore)
    void updateFrameControls();
    void updateDicomInfo();
    void updateTrajectorySliderNote();
    void saveSettings() const;
    void rememberModelFolder(const QString& folder);   // top of the recent list
    void forgetModelFolder(const QString& folder);
    void updateModelPicker();                          // entries and selection from the current state
    void modelPicked(int index);                       // the picker's activated()
    // The engine failed while loading m_engineLoading: report it, back to the last model that loaded.
    void modelLoadFailed(const QString& folder, const QString& message);
    void showModelError(const QString& folder, const QString& problem);
    // Window geometry and dock layout (QSettings window/geometry, window/state), saved on close and
    // restored at the end of the constructor, once every dock exists (restoreState matches docks by
    // objectName).
    void saveLayout() const;
    void restoreLayout();

    QString m_modelFolder;
    QComboBox* m_modelPicker = nullptr;
    QString m_engineLoading;   // the folder the engine said it is loading, until its first result
    QString m_engineModel;     // the last folder the engine loaded (empty before the first request)
    ImageView* m_imageView = nullptr;
    QLabel* m_imageInfo = nullptr;
    QString m_dicomSource;   // the DICOM file on screen, empty for generated or non-DICOM images
    int m_dicomFrame = 0;    // frame of m_dicomSource on screen (0-based)
    int m_dicomFrames = 0;   // frames of m_dicomSource; 0 without one
    QStringList m_dicomInfo; // image information of m_dicomSource without the frame
    QWidget* m_frameBar = nullptr;   // below the image, only for multi-frame DICOM files
    QSpinBox* m_frameSpin = nullptr;
    QSlider* m_frameSlider = nullptr;
    QLabel* m_frameCount = nullptr;
    SeriesBrowser* m_browser = nullptr;
    QDockWidget* m_browserDock = nullptr;
    QLabel* m_statusModel = nullptr;
    QDockWidget* m_controlsDock = nullptr;
    QDockWidget* m_attributesDock = nullptr;
    QLabel* m_banner = nullptr;
    QPlainTextEdit* m_prompt = nullptr;
    QLineEdit* m_negative = nullptr;
    QSpinBox* m_seed = nullptr;
    QCheckBox* m_seedLock = nullptr;
    QSpinBox* m_steps = nullptr;
    QDoubleSpinBox* m_guidance = nullptr;
    QComboBox* m_sampler = nullptr;
    QPushButton* m_generateButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QProgressBar* m_progress = nullptr;
    EngineBridge* m_engine = nullptr;
    QImage m_image;
    QImage m_reference;
    QImage m_edited;
    AttributePanel* m_attributes = nullptr;
    TrajectoryPanel* m_trajectory = nullptr;
    TrajectoryPlots* m_plots = nullptr;
    CompareView* m_compare = nullptr;
    QStackedWidget* m_centralStack = nullptr;
    QDockWidget* m_trajectoryDock = nullptr;
    QAction* m_compareAction = nullptr;
    GenerationRequest m_lastTrajectory;    // for decoding the frame the user stopped on
    QAction* m_deidentifyAction = nullptr;  // DICOM exports de-identified (default on, persisted)
};

}  // namespace mt::ui
