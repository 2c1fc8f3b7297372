"""The in-window terminal: ``TerminalView`` (a pyte screen painted by a QWidget) and
``ConsoleTabs`` (one tab per open console). They only ever see ``transport/console.py``'s
``ConsoleChannel``, whatever road carries it."""
