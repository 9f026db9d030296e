package dev.sandlot.manifest;

import java.util.List;

/**
 * The small tree {@link SafeYaml} builds from parser events: mappings, sequences and scalars, each
 * with its 1-based position. Scalars keep their raw text and whether they were plain; deciding
 * what a scalar means is the validator's job, never YAML's type resolution.
 */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar, YamlNode.Rejected {

    int line();

    int column();

    /** A mapping whose keys are unique scalars (duplicates and merge keys were already rejected). */
    record Mapping(int line, int column, List<Entry> entries) implements YamlNode {
        public Mapping {
            entries = List.copyOf(entries);
        }
    }

    record Entry(Scalar key, YamlNode value) {
    }

    record Sequence(int line, int column, List<YamlNode> items) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    /** @param plain true for a plain (unquoted, non-block) scalar: only those can be null, numbers or booleans */
    record Scalar(int line, int column, String text, boolean plain) implements YamlNode {
        /** A plain {@code null}, {@code ~} or nothing at all: YAML 1.2 core's only spellings of null. */
        boolean isNull() {
            return plain && (text.isEmpty() || text.equals("null") || text.equals("~"));
        }
    }

    /** Stands for a node that was refused while reading (an alias, an oversized scalar); already reported. */
    record Rejected(int line, int column) implements YamlNode {
    }
}
