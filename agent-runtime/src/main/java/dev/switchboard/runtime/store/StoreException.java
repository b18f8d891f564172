package dev.switchboard.runtime.store;

/**
 * A store could not do what was asked: the database is unreachable, too slow, or refused the
 * statement. The message names the operation and the cause, never a message body or a password.
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
