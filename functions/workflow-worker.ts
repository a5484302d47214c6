// Placeholder: the real handler lands with the application layer.
export const handler = async (): Promise<void> => {
  throw new Error("not implemented");
};
