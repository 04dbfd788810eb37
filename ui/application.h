// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QApplication;

namespace mt::ui {

// Sets names, parses the GUI's command line (--lang, --model, --screenshot), installs translations,
// shows the main window and runs the event loop. Returns the exit code.
int runApplication(QApplication& app);

}  // namespace mt::ui
