package io.loadgen.gui;

/** For tests outside the package: whether this machine has GTK 3, as the dashboard's check finds it. */
public final class DesktopCheckAccess {
    private DesktopCheckAccess() {
    }

    public static boolean gtkPresent() {
        return DesktopCheck.libraryPresent(DesktopCheck.GTK3);
    }
}
