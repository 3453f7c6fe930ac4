package io.loadgen.server.model;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * The devices TensorFlow offers a session in this process.
 *
 * <p>TF Java 1.1 has no public Java API to list a session's devices, and its {@code Session} keeps its native handle
 * private. So this opens a throwaway native session (C API {@code TF_NewSession} on an empty graph, with the model's
 * {@code ConfigProto}) and asks it with {@code TF_SessionListDevices}: devices are process-wide, so that session sees
 * exactly the devices the model's session sees. With the CPU build of the native library that list holds only
 * {@code CPU:0}; with the GPU build on a host with CUDA it also holds {@code GPU:0} and TensorFlow places the model's
 * ops there by default.
 */
public final class Devices {
    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    /**
     * One device.
     *
     * @param name full name, e.g. {@code /job:localhost/replica:0/task:0/device:CPU:0}
     * @param type {@code CPU}, {@code GPU}, ...
     */
    public record Device(String name, String type) {
        /** @return the short name, e.g. {@code GPU:0} */
        public String shortName() {
            int i = name.lastIndexOf("device:");
            return i >= 0 ? name.substring(i + "device:".length()) : name;
        }
    }

    private Devices() {
    }

    /**
     * Lists the devices a session with this configuration would see.
     *
     * @param config session configuration, may be null
     * @throws IllegalStateException if TensorFlow fails to list them
     */
    public static List<Device> list(ConfigProto config) {
        TensorFlow.version(); // loads the native library
        TF_Status status = TF_NewStatus();
        TF_Graph graph = TF_NewGraph();
        TF_SessionOptions options = TF_NewSessionOptions();
        TF_Session session = null;
        try {
            if (config != null) {
                byte[] bytes = config.toByteArray();
                try (BytePointer p = new BytePointer(bytes)) {
                    TF_SetConfig(options, p, bytes.length, status);
                    check(status, "TF_SetConfig");
                }
            }
            session = TF_NewSession(graph, options, status);
            check(status, "TF_NewSession");
            TF_DeviceList list = TF_SessionListDevices(session, status);
            check(status, "TF_SessionListDevices");
            try {
                int count = TF_DeviceListCount(list);
                List<Device> devices = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    String name = TF_DeviceListName(list, i, status).getString();
                    check(status, "TF_DeviceListName");
                    String type = TF_DeviceListType(list, i, status).getString();
                    check(status, "TF_DeviceListType");
                    devices.add(new Device(name, type));
                }
                return List.copyOf(devices);
            } finally {
                TF_DeleteDeviceList(list);
            }
        } finally {
            if (session != null) {
                TF_CloseSession(session, status);
                TF_DeleteSession(session, status);
            }
            TF_DeleteSessionOptions(options);
            TF_DeleteGraph(graph);
            TF_DeleteStatus(status);
        }
    }

    /**
     * Where a model loaded with this configuration runs: the first GPU's short name (e.g. {@code GPU:0}) if the
     * session lists one, else {@code CPU}. Falls back to {@code CPU} (and logs why) if listing fails: the CPU build of
     * the native library, the one this project ships by default, has no other device.
     */
    public static String primary(ConfigProto config) {
        try {
            for (Device d : list(config)) {
                if ("GPU".equalsIgnoreCase(d.type())) {
                    return d.shortName();
                }
            }
            return "CPU";
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("cannot list TensorFlow devices, reporting CPU: {}", e.toString());
            return "CPU";
        }
    }

    private static void check(TF_Status status, String call) {
        int code = TF_GetCode(status);
        if (code != 0) {
            throw new IllegalStateException(call + " failed (code " + code + "): " + TF_Message(status).getString());
        }
    }
}
