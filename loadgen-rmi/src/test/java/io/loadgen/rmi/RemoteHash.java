package io.loadgen.rmi;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.lang.reflect.Method;
import java.security.MessageDigest;

/** The method hash of the RMI wire protocol (Java RMI specification, 8.3), to call below a typed stub. */
public final class RemoteHash {
    private RemoteHash() {
    }

    /** @return the method's hash, as RMI's stubs send it */
    public static long of(Method m) throws Exception {
        StringBuilder d = new StringBuilder(m.getName()).append('(');
        for (Class<?> p : m.getParameterTypes()) {
            d.append(p.descriptorString());
        }
        d.append(')').append(m.getReturnType().descriptorString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeUTF(d.toString());
        byte[] sha = MessageDigest.getInstance("SHA").digest(bytes.toByteArray());
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h += ((long) (sha[i] & 0xff)) << (i * 8);
        }
        return h;
    }
}
