"""One module per user flow the window starts (DESIGN.md: ui/flows/): dialogs opened non-modally
and awaited, then one call into the workspace. MainWindow only wires actions to them and runs each
as a named task (``MainWindow._flow``). Their words keep the window's translation context
(``MainWindow``), written out in ``QCoreApplication.translate`` so lupdate finds them."""
