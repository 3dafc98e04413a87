/** A failed file operation's error code in words, as the messages show it (ENOENT → "no such file or folder"). */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file or folder";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a folder";
    case "ENOTDIR":
      return "a part of the path is not a folder";
    case "ELOOP":
      return "too many levels of symbolic links (a loop?)";
    case "EROFS":
      return "the file system is read-only";
    case "ENAMETOOLONG":
      return "the file name is too long for the file system";
    case "ENOSPC":
      return "no space left on the device";
    case "ERR_STRING_TOO_LONG":
      // V8's longest string (2^29 − 24 UTF-16 units): the file cannot be read as text in one piece
      return "the file is too large to read as text (more than 512 MiB)";
    case undefined:
      return (e as Error).message;
    default:
      return code;
  }
}
