package dev.sandlot.host;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A terminal's size, as {@code struct winsize} of {@code TIOCGWINSZ}/{@code TIOCSWINSZ} holds it:
 * four unsigned shorts (rows, columns, width and height in pixels) in the machine's byte order.
 */
public record WindowSize(int rows, int cols, int xpixel, int ypixel) {
    /** The size of {@code struct winsize}. */
    public static final int BYTES = 8;

    public WindowSize {
        check("rows", rows);
        check("cols", cols);
        check("xpixel", xpixel);
        check("ypixel", ypixel);
    }

    public WindowSize(int rows, int cols) {
        this(rows, cols, 0, 0);
    }

    /** The struct in the machine's byte order, for ioctl. */
    public byte[] toNative() {
        return toBytes(ByteOrder.nativeOrder());
    }

    public static WindowSize fromNative(byte[] struct) {
        return fromBytes(struct, ByteOrder.nativeOrder());
    }

    byte[] toBytes(ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(BYTES).order(order);
        b.putShort((short) rows).putShort((short) cols).putShort((short) xpixel).putShort((short) ypixel);
        return b.array();
    }

    static WindowSize fromBytes(byte[] struct, ByteOrder order) {
        if (struct.length < BYTES) {
            throw new IllegalArgumentException("struct winsize is " + BYTES + " bytes, got " + struct.length);
        }
        ByteBuffer b = ByteBuffer.wrap(struct).order(order);
        return new WindowSize(Short.toUnsignedInt(b.getShort()), Short.toUnsignedInt(b.getShort()),
                Short.toUnsignedInt(b.getShort()), Short.toUnsignedInt(b.getShort()));
    }

    private static void check(String what, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(what + " must fit an unsigned short: " + value);
        }
    }
}
