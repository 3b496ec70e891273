// distill.js - knowledge distillation in one call (Hinton et al. 2015; Keras's Distiller example):
// the student's fit, with every step on alpha * CE(y, softmax(s)) + (1 - alpha) * T^2 *
// KL(softmax(t/T) || softmax(s/T)) computed by the core's training loop (core/distill.c).
import { C } from './core.js';
import { show } from './convert.js';
import { Sequential } from './model.js';

/**
 * Train `student` on (x, y) and on `teacher`'s softened outputs. The student is compiled first
 * (its optimizer, and its loss -- sparseCategoricalCrossentropy or categoricalCrossentropy -- which
 * says how y is encoded); both models end in softmax or a linear layer (logits) with the same
 * number of classes. The other options are fit's (epochs, batchSize, validationData,
 * validationSplit, callbacks, augment, ...). Returns fit's history: loss is the distillation loss,
 * val_loss the student's own loss on the validation labels.
 * @param {{teacher: Sequential, student: Sequential, x: any, y: any, temperature?: number, alpha?: number}} args
 */
export async function distill(args = {}) {
  if (args === null || typeof args !== 'object') throw new Error('nnplay: distill takes { teacher, student, x, y, temperature, alpha, epochs, ... }');
  const { teacher, student, x, y, temperature = 10, alpha = 0.1, ...fitArgs } = args;
  for (const [name, m] of [['teacher', teacher], ['student', student]]) {
    if (!(m instanceof Sequential)) throw new Error(`nnplay: distill: ${name} must be a model made by nn.sequential, got ${show(m)}`);
    if (m.isDisposed) throw new Error(`nnplay: distill: the ${name} was disposed`);
  }
  if (!student._compiled) throw new Error('nnplay: distill: compile the student first (its optimizer, and sparseCategoricalCrossentropy or categoricalCrossentropy for y)');
  if (typeof temperature !== 'number') throw new Error(`nnplay: distill: temperature must be a number, got ${show(temperature)}`);
  if (typeof alpha !== 'number') throw new Error(`nnplay: distill: alpha must be a number, got ${show(alpha)}`);
  teacher._notBusy('distill from it');
  const c = C();
  const st = c._nn_model_set_distill(student._m(), teacher._m(), temperature, alpha);
  if (st !== 0) throw student._error(st, 'distill');
  teacher._busy = true; // no weights set, layers added or memory freed under the student's steps
  try {
    return await student.fit(x, y, fitArgs);
  } finally {
    if (!student.isDisposed && student._ptr) c._nn_model_set_distill(student._ptr, 0, 0, 0);
    teacher._busy = false;
    if (teacher.isDisposed && teacher._ptr) teacher._freeNow();
  }
}
