package dev.sandlot.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's boot id: recorded with each sandbox as a hint that a reboot happened in between. */
final class BootId {
    private BootId() {
    }

    static String current() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
