/** Errors of the signed attestations: signing, and the allowed-signers file. */

/** `ssh-keygen -Y sign` failed: the key is missing, unreadable, protected without a terminal, or not a key. */
export class SigningError extends Error {
  readonly keyFile: string;
  readonly stderr: string;

  constructor(keyFile: string, stderr: string, options?: ErrorOptions) {
    super(
      `Could not sign with the key ${keyFile}: ${stderr.trim() || "ssh-keygen -Y sign failed"}. ` +
        "Pass the SSH private key of the signer with --key (or HARNESS_SIGNING_KEY); a key with a passphrase " +
        "needs a terminal, or load it into ssh-agent and pass its .pub file.",
      options,
    );
    this.name = "SigningError";
    this.keyFile = keyFile;
    this.stderr = stderr;
  }
}

/** ssh-keygen is not installed where the harness looks for it. */
export class SshKeygenMissingError extends Error {
  readonly command: string;

  constructor(command: string, options?: ErrorOptions) {
    super(
      `${command} was not found: signed attestations need OpenSSH's ssh-keygen (8.2 or later, for -Y sign/verify). ` +
        "Install openssh-client, or point HARNESS_SSH_KEYGEN at ssh-keygen.",
      options,
    );
    this.name = "SshKeygenMissingError";
    this.command = command;
  }
}
