package io.loadgen.rmi;

import java.rmi.Remote;
import java.rmi.RemoteException;

/**
 * What the registry hands out under {@link RemoteLoadControl#NAME}: the door to the control object. With a shared
 * token configured, only a caller that presents it gets the control's stub (whose object id is random, so the stub
 * itself cannot be guessed); without one, any caller does (loopback binds only).
 */
public interface RemoteLogin extends Remote {
    /**
     * @param token the shared token, or {@code null} when the engine has none
     * @return the control
     * @throws SecurityException if the engine has a token and this is not it
     */
    RemoteLoadControl open(String token) throws RemoteException;
}
