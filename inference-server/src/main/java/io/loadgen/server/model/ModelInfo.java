package io.loadgen.server.model;

import java.util.List;

/**
 * What a model is.
 *
 * @param name the model's name, as {@code /v1/models} and every response report it
 * @param description one line for people, e.g. that its weights are untrained
 * @param preprocessing input size, channels and value scaling
 * @param classes class names, index = class id
 * @param device where it runs, e.g. {@code CPU} or {@code GPU:0}
 * @param trained whether its weights were trained (false for the default MobileNetV2 built from a seed)
 */
public record ModelInfo(String name, String description, Preprocessing preprocessing, List<String> classes,
        String device, boolean trained) {
    public ModelInfo {
        classes = List.copyOf(classes);
    }
}
