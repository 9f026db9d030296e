package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class WindowSizeTest {

    @Test
    void marshalsAsFourUnsignedShortsRowsFirst() {
        WindowSize size = new WindowSize(40, 100, 800, 65535);
        assertThat(size.toBytes(ByteOrder.LITTLE_ENDIAN))
                .containsExactly(40, 0, 100, 0, 0x20, 0x03, 0xFF, 0xFF);
        assertThat(size.toBytes(ByteOrder.BIG_ENDIAN))
                .containsExactly(0, 40, 0, 100, 0x03, 0x20, 0xFF, 0xFF);
    }

    @Test
    void unmarshalsWhatItMarshals() {
        WindowSize size = new WindowSize(40, 100, 800, 65535);
        assertThat(WindowSize.fromNative(size.toNative())).isEqualTo(size);
        assertThat(WindowSize.fromBytes(new byte[] {24, 0, 80, 0, 0, 0, 0, 0}, ByteOrder.LITTLE_ENDIAN))
                .isEqualTo(new WindowSize(24, 80));
    }

    @Test
    void refusesWhatAStructWinsizeCannotHold() {
        assertThatThrownBy(() -> new WindowSize(-1, 80)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WindowSize(24, 65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WindowSize.fromNative(new byte[7])).isInstanceOf(IllegalArgumentException.class);
    }
}
