// Type declarations for nnplay's JS API (wasm/nnplay.js). Names follow TensorFlow.js Layers.

export const version: string;

/** Load the wasm module; await it once before anything else. */
export function ready(options?: { wasmBinary?: ArrayBuffer | Uint8Array; locateFile?: (path: string) => string;
  /** Another build's module factory (the test build of the core). */
  createModule?: (options: object) => Promise<object> }): Promise<void>;

/** The core's tables, which nn.layers, validation and the pages are built from. */
export interface OptionInfo { name: string; kind: 'int' | 'float' | 'bool' | 'enum' | 'ints' | 'shape' | 'layer' | 'string'; count: number;
  required: boolean; min: number; max: number; default: number | boolean | string; values?: string; alias?: string; doc: string }
export interface TableInfo {
  /** intInput: as the first layer, it takes integer token ids as they are (Int32Array, Uint16Array, Uint8Array). */
  layers: { id: number; className: ClassName; name: LayerType; aliases: string[]; doc: string; intInput: boolean;
    options: OptionInfo[] }[];
  /** Options every layer type has besides its own (trainable). */
  commonOptions: OptionInfo[];
  names: { [table: string]: { name: string; aliases: string[]; regression?: boolean; numClasses?: number }[] };
  simd: string; version: string; maxRank: number;
}
export function describe(): TableInfo;

/** Row-major data: typed arrays, (nested) number arrays, or anything tensor-like with dataSync().
 * Token ids for a model whose first layer is an embedding stay as they are in an Int32Array,
 * Uint16Array or Uint8Array (no float copy); other models take such arrays as float32 values. */
export type Data = Float32Array | Float64Array | Int32Array | Uint16Array | Uint8Array | number[] | number[][] |
  number[][][] | { shape: number[]; dataSync(): ArrayLike<number> };

interface CommonLayerArgs extends CommonOptions { inputShape?: number[]; batchInputShape?: (number | null)[]; inputDim?: number;
  /** A sequence input of this many steps (Embedding's input_length): inputShape [inputLength]. */
  inputLength?: number }
export interface Regularizer { l1: number; l2: number }
export interface LayerConfig { readonly className: ClassName; readonly config: object }

/** Seeded noise from the core's generator (the same numbers in C, Node and browsers for a seed). */
export const random: {
  normal(shape: number | number[], args?: { mean?: number; stddev?: number; seed?: number }): Float32Array & { shape: number[] };
  uniform(shape: number | number[], args?: { minval?: number; maxval?: number; seed?: number }): Float32Array & { shape: number[] };
};

/** A pruning schedule (TF MOT's): call(step) says whether masks are updated at that training batch and to what sparsity. */
export interface PruningSchedule {
  readonly className: 'ConstantSparsity' | 'PolynomialDecay';
  readonly config: Readonly<Record<string, number>>;
  call(step: number): { shouldPrune: boolean; sparsity: number };
  getConfig(): Record<string, number>;
}
export interface LayerSparsity { layer: number; name: string; weights: number; zeros: number; sparsity: number; pruned: boolean }
/** Magnitude pruning as TF Model Optimization's tfmot.sparsity.keras; steps are training batches since pruneLowMagnitude. */
export const pruning: {
  /** Prunes kernels, recurrent kernels and embeddings (all such layers, or `layers` by index or name) as the model
   * trains; in place (the model is returned); the state is saved with model.save(). `schedule` is an alias. */
  pruneLowMagnitude<M extends Sequential>(model: M, args: { pruningSchedule?: PruningSchedule; schedule?: PruningSchedule;
    layers?: (number | string)[] }): M;
  /** targetSparsity in [0, 1); beginStep 0, endStep -1 (never ends), frequency 100. */
  constantSparsity(args: { targetSparsity: number; beginStep?: number; endStep?: number; frequency?: number }): PruningSchedule;
  /** s = (initial - final) (1 - p)^power + final, p = clamp((step - begin) / (end - begin)); power 3, frequency 100. */
  polynomialDecay(args: { initialSparsity?: number; finalSparsity: number; beginStep?: number; endStep: number;
    power?: number; frequency?: number }): PruningSchedule;
  /** Drops masks and schedule; the zeros stay. In place. */
  stripPruning<M extends Sequential>(model: M): M;
  /** One-shot: masks now at `sparsity` (default: the schedule's at the current step), pruned weights zeroed. */
  updateMasks<M extends Sequential>(model: M, args?: { sparsity?: number }): M;
  /** null when not pruned. */
  status(model: Sequential): { step: number; schedule: PruningSchedule } | null;
  /** Per layer with prunable weights. */
  sparsity(model: Sequential): LayerSparsity[];
};

// ---- generated from the core's tables by tools/dts.mjs: do not edit by hand ----
export type ActivationName = 'linear' | 'none' | 'identity' | 'relu' | 'leakyRelu' | 'leaky_relu' | 'leakyrelu' | 'elu' |
  'sigmoid' | 'tanh' | 'softmax' | 'hardSigmoid' | 'hard_sigmoid';
export type LossName = 'meanSquaredError' | 'mse' | 'mean_squared_error' | 'binaryCrossentropy' | 'binary_crossentropy' |
  'categoricalCrossentropy' | 'categorical_crossentropy' | 'sparseCategoricalCrossentropy' |
  'sparse_categorical_crossentropy' | 'meanAbsoluteError' | 'mae' | 'mean_absolute_error';
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'rmsprop' | 'adagrad';
export type InitializerName = 'glorotUniform' | 'glorot_uniform' | 'glorotNormal' | 'glorot_normal' | 'heUniform' | 'he_uniform' |
  'heNormal' | 'he_normal' | 'zeros' | 'ones' | 'randomUniform' | 'uniform' | 'random_uniform' |
  'orthogonal';
export type Padding = 'valid' | 'same';
export type DataFormat = 'channelsLast' | 'channels_last';
export type MetricName = 'accuracy' | 'acc' | 'binaryAccuracy' | 'categoricalAccuracy' | 'sparseCategoricalAccuracy' |
  'precision' | 'recall' | 'f1' | 'f1Score' | 'mse' | 'meanSquaredError' | 'mae' | 'meanAbsoluteError' |
  'r2' | 'rSquared';
export type DatasetKind = 'circle' | 'xor' | 'gauss' | 'spiral' | 'moons' | 'checkerboard' | 'plane' | 'gaussBumps' |
  'gauss_bumps' | 'blobs' | 'multiSpiral' | 'multi_spiral';
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;
export type Interpolation = 'nearest' | 'bilinear';
export type ClassName = 'Dense' | 'Activation' | 'Dropout' | 'Conv2D' | 'MaxPooling2D' | 'AveragePooling2D' |
  'GlobalAveragePooling2D' | 'Flatten' | 'Reshape' | 'BatchNormalization' | 'Embedding' | 'SimpleRNN' |
  'LSTM' | 'GRU' | 'Bidirectional' | 'Conv2DTranspose' | 'UpSampling2D';
export type LayerType = 'dense' | 'activation' | 'dropout' | 'conv2d' | 'maxPooling2d' | 'averagePooling2d' |
  'globalAveragePooling2d' | 'flatten' | 'reshape' | 'batchNormalization' | 'embedding' | 'simpleRNN' |
  'lstm' | 'gru' | 'bidirectional' | 'conv2dTranspose' | 'upSampling2d';

interface CommonOptions {
  /** update the weights when training (false: frozen for optimizers compiled after) (default true) */
  trainable?: boolean;
  /** the layer's name, unique in its model (default: its class in snake_case, numbered: dense, dense_1) (default "") */
  name?: string;
}

export const layers: {
  /** fully connected: y = activation(x W + b), W is [inputs, units] */
  dense(args: CommonLayerArgs & {
    /** output units */
    units: number;
    /** applied to the output (default "linear") */
    activation?: ActivationName;
    /** add a bias vector (default true) */
    useBias?: boolean;
    /** initializer (default "glorotUniform") */
    kernelInitializer?: InitializerName;
    /** initializer (default "zeros") */
    biasInitializer?: InitializerName;
    /** leakyRelu/elu slope (0: the activation's default) (default 0) */
    alpha?: number;
    /** L1 penalty on the kernel (default 0) */
    l1?: number;
    /** L2 penalty on the kernel (default 0) */
    l2?: number;
    kernelRegularizer?: Regularizer;
  }): LayerConfig;
  /** y = activation(x) */
  activation(args?: CommonLayerArgs & {
    /** applied to the output (default "linear") */
    activation?: ActivationName;
    /** leakyRelu/elu slope (0: the activation's default) (default 0) */
    alpha?: number;
  }): LayerConfig;
  /** inverted dropout while training; identity when predicting */
  dropout(args: CommonLayerArgs & {
    /** fraction of the inputs dropped while training */
    rate: number;
  }): LayerConfig;
  /** 2D convolution over [height, width, channels]; kernel [kh, kw, inC, filters] */
  conv2d(args: CommonLayerArgs & {
    /** output channels */
    filters: number;
    /** window [height, width] (one number: square) */
    kernelSize: number | number[];
    /** step [down, across] (default 1) */
    strides?: number | number[];
    /** 'valid' or 'same' (zeros around the input) (default "valid") */
    padding?: Padding;
    /** channelsLast (NHWC) only (default "channelsLast") */
    dataFormat?: DataFormat;
    /** applied to the output (default "linear") */
    activation?: ActivationName;
    /** add a bias vector (default true) */
    useBias?: boolean;
    /** initializer (default "glorotUniform") */
    kernelInitializer?: InitializerName;
    /** initializer (default "zeros") */
    biasInitializer?: InitializerName;
    /** leakyRelu/elu slope (0: the activation's default) (default 0) */
    alpha?: number;
    /** L1 penalty on the kernel (default 0) */
    l1?: number;
    /** L2 penalty on the kernel (default 0) */
    l2?: number;
    kernelRegularizer?: Regularizer;
  }): LayerConfig;
  /** max over poolSize windows (strides default to poolSize) */
  maxPooling2d(args?: CommonLayerArgs & {
    /** window [height, width] (one number: square) (default 2) */
    poolSize?: number | number[];
    /** step [down, across] (default: the pool size) (default 2) */
    strides?: number | number[];
    /** 'valid' or 'same' (zeros around the input) (default "valid") */
    padding?: Padding;
    /** channelsLast (NHWC) only (default "channelsLast") */
    dataFormat?: DataFormat;
  }): LayerConfig;
  maxPool2d: typeof layers.maxPooling2d;
  /** mean over poolSize windows (padding not counted) */
  averagePooling2d(args?: CommonLayerArgs & {
    /** window [height, width] (one number: square) (default 2) */
    poolSize?: number | number[];
    /** step [down, across] (default: the pool size) (default 2) */
    strides?: number | number[];
    /** 'valid' or 'same' (zeros around the input) (default "valid") */
    padding?: Padding;
    /** channelsLast (NHWC) only (default "channelsLast") */
    dataFormat?: DataFormat;
  }): LayerConfig;
  avgPool2d: typeof layers.averagePooling2d;
  /** [height, width, channels] -> [channels], the mean over all pixels */
  globalAveragePooling2d(args?: CommonLayerArgs & {
    /** channelsLast (NHWC) only (default "channelsLast") */
    dataFormat?: DataFormat;
  }): LayerConfig;
  globalAvgPool2d: typeof layers.globalAveragePooling2d;
  /** any shape -> one flat vector per sample (row-major order kept) */
  flatten(args?: CommonLayerArgs & {
    /** channelsLast (NHWC) only (default "channelsLast") */
    dataFormat?: DataFormat;
  }): LayerConfig;
  /** the same values under targetShape (one entry may be -1) */
  reshape(args: CommonLayerArgs & {
    /** per-sample shape; one entry may be -1 (inferred) */
    targetShape: number[];
  }): LayerConfig;
  /** normalize over the last axis: batch statistics when training, moving ones when predicting */
  batchNormalization(args?: CommonLayerArgs & {
    /** normalized axis: -1 (the last, channels) only (default -1) */
    axis?: number;
    /** moving average momentum (default 0.99) */
    momentum?: number;
    /** added to the variance (default 0.001) */
    epsilon?: number;
  }): LayerConfig;
  /** token ids [t] -> learned vectors [t, outputDim] (ids in 0 .. inputDim-1) */
  embedding(args: CommonLayerArgs & {
    /** vocabulary size: ids run 0 .. inputDim-1 */
    inputDim: number;
    /** values per token */
    outputDim: number;
    /** initializer (default "randomUniform") */
    embeddingsInitializer?: InitializerName;
    /** id 0 is padding: recurrent layers skip it and the loss leaves it out (default false) */
    maskZero?: boolean;
  }): LayerConfig;
  /** recurrent layer over [steps, features]: h = activation(x W + h U + b), the last h or all */
  simpleRNN(args: CommonLayerArgs & {
    /** size of the state */
    units: number;
    /** applied to each new state (default "tanh") */
    activation?: ActivationName;
    /** add a bias vector (default true) */
    useBias?: boolean;
    /** initializer (default "glorotUniform") */
    kernelInitializer?: InitializerName;
    /** initializer (default "orthogonal") */
    recurrentInitializer?: InitializerName;
    /** initializer (default "zeros") */
    biasInitializer?: InitializerName;
    /** output every step's state [t, units], not only the last (default false) */
    returnSequences?: boolean;
    /** false only: the final states as more outputs are refused, as TF.js refuses a multi-output layer in a Sequential model (without returnSequences the output is the last state h) (default false) */
    returnState?: boolean;
    /** read the sequence from its end (outputs in the order read) (default false) */
    goBackwards?: boolean;
    /** L1 penalty on the kernel (default 0) */
    l1?: number;
    /** L2 penalty on the kernel (default 0) */
    l2?: number;
    /** fraction of the input dropped while training (one mask per sample, every step) (default 0) */
    dropout?: number;
    /** fraction of the state dropped in the recurrent products while training (default 0) */
    recurrentDropout?: number;
    /** leakyRelu/elu slope (0: the activation's default) (default 0) */
    alpha?: number;
    kernelRegularizer?: Regularizer;
  }): LayerConfig;
  /** long short-term memory over [steps, features] (gates i, f, c, o): the last h or all */
  lstm(args: CommonLayerArgs & {
    /** size of the state */
    units: number;
    /** for the cell input and output (default "tanh") */
    activation?: ActivationName;
    /** add a bias vector (default true) */
    useBias?: boolean;
    /** initializer (default "glorotUniform") */
    kernelInitializer?: InitializerName;
    /** initializer (default "orthogonal") */
    recurrentInitializer?: InitializerName;
    /** initializer (default "zeros") */
    biasInitializer?: InitializerName;
    /** output every step's state [t, units], not only the last (default false) */
    returnSequences?: boolean;
    /** false only: the final states as more outputs are refused, as TF.js refuses a multi-output layer in a Sequential model (without returnSequences the output is the last state h) (default false) */
    returnState?: boolean;
    /** read the sequence from its end (outputs in the order read) (default false) */
    goBackwards?: boolean;
    /** L1 penalty on the kernel (default 0) */
    l1?: number;
    /** L2 penalty on the kernel (default 0) */
    l2?: number;
    /** fraction of the input dropped while training (one mask per sample, every step) (default 0) */
    dropout?: number;
    /** fraction of the state dropped in the recurrent products while training (default 0) */
    recurrentDropout?: number;
    /** for the gates (Keras 2: sigmoid; TF.js's default is hardSigmoid) (default "sigmoid") */
    recurrentActivation?: ActivationName;
    /** start the forget gate's bias at 1 (Keras's default) (default true) */
    unitForgetBias?: boolean;
    kernelRegularizer?: Regularizer;
  }): LayerConfig;
  /** gated recurrent unit over [steps, features] (gates z, r, h; resetAfter as Keras 2): the last h or all */
  gru(args: CommonLayerArgs & {
    /** size of the state */
    units: number;
    /** for the candidate state (default "tanh") */
    activation?: ActivationName;
    /** add a bias vector (default true) */
    useBias?: boolean;
    /** initializer (default "glorotUniform") */
    kernelInitializer?: InitializerName;
    /** initializer (default "orthogonal") */
    recurrentInitializer?: InitializerName;
    /** initializer (default "zeros") */
    biasInitializer?: InitializerName;
    /** output every step's state [t, units], not only the last (default false) */
    returnSequences?: boolean;
    /** false only: the final states as more outputs are refused, as TF.js refuses a multi-output layer in a Sequential model (without returnSequences the output is the last state h) (default false) */
    returnState?: boolean;
    /** read the sequence from its end (outputs in the order read) (default false) */
    goBackwards?: boolean;
    /** L1 penalty on the kernel (default 0) */
    l1?: number;
    /** L2 penalty on the kernel (default 0) */
    l2?: number;
    /** fraction of the input dropped while training (one mask per sample, every step) (default 0) */
    dropout?: number;
    /** fraction of the state dropped in the recurrent products while training (default 0) */
    recurrentDropout?: number;
    /** for the gates (Keras 2: sigmoid; TF.js's default is hardSigmoid) (default "sigmoid") */
    recurrentActivation?: ActivationName;
    /** reset gate after the recurrent product, two bias rows (Keras 2's default; TF.js: false only) (default false) */
    resetAfter?: boolean;
    kernelRegularizer?: Regularizer;
  }): LayerConfig;
  /** a recurrent layer run forward and backward over [steps, features], the two outputs merged */
  bidirectional(args: CommonLayerArgs & {
    /** the recurrent layer (simpleRNN, lstm or gru) to run forward and, in a copy, backward (returnSequences is its own) */
    layer: LayerConfig;
    /** how the directions combine (null, a list of both, is refused in a Sequential model) (default "concat") */
    mergeMode?: MergeMode;
  }): LayerConfig;
  /** transposed 2D convolution (upsamples by strides); kernel [kh, kw, filters, inC] */
  conv2dTranspose(args: CommonLayerArgs & {
    /** output channels */
    filters: number;
    /** window [height, width] (one number: square) */
    kernelSize: number | number[];
    /** upsampling step [down, across] (default 1) */
    strides?: number | number[];
    /** 'same': output in*strides; 'valid': in*strides + max(kernel - strides, 0) (default "valid") */
    padding?: Padding;
    /** channelsLast (NHWC) only (default "channelsLast") */
    dataFormat?: DataFormat;
    /** applied to the output (default "linear") */
    activation?: ActivationName;
    /** add a bias vector (default true) */
    useBias?: boolean;
    /** initializer (default "glorotUniform") */
    kernelInitializer?: InitializerName;
    /** initializer (default "zeros") */
    biasInitializer?: InitializerName;
    /** leakyRelu/elu slope (0: the activation's default) (default 0) */
    alpha?: number;
    /** L1 penalty on the kernel (default 0) */
    l1?: number;
    /** L2 penalty on the kernel (default 0) */
    l2?: number;
    kernelRegularizer?: Regularizer;
  }): LayerConfig;
  /** repeats each pixel size[0] x size[1] times (nearest neighbour) */
  upSampling2d(args?: CommonLayerArgs & {
    /** repeats [down, across] (one number: both) (default 2) */
    size?: number | number[];
    /** 'nearest' (each pixel repeated; 'bilinear' is refused) (default "nearest") */
    interpolation?: Interpolation;
    /** channelsLast (NHWC) only (default "channelsLast") */
    dataFormat?: DataFormat;
  }): LayerConfig;
};
// ---- end of the generated part ----

export const regularizers: {
  l1(args?: { l1?: number }): Regularizer;
  l2(args?: { l2?: number }): Regularizer;
  l1l2(args?: { l1?: number; l2?: number }): Regularizer;
};

/** What compile passes to the core: the optimizer's name and its settings (TF.js's names). */
export interface Optimizer { readonly optimizer: 'sgd' | 'adam' | 'rmsprop' | 'adagrad'; readonly learningRate?: number;
  readonly momentum?: number; readonly nesterov?: boolean; readonly beta1?: number; readonly beta2?: number;
  readonly rho?: number; readonly epsilon?: number; readonly initialAccumulatorValue?: number;
  /** Gradient clipping, as Keras's optimizers take it: { ...nn.train.adam(1e-3), clipNorm: 1 }. */
  readonly clipNorm?: number; readonly clipValue?: number }
export const train: {
  sgd(learningRate?: number): Optimizer;
  momentum(learningRate?: number, momentum?: number, useNesterov?: boolean): Optimizer;
  adam(learningRate?: number, beta1?: number, beta2?: number, epsilon?: number): Optimizer;
  rmsprop(learningRate?: number, decay?: number, momentum?: number, epsilon?: number): Optimizer;
  adagrad(learningRate?: number, initialAccumulatorValue?: number): Optimizer;
};

export type Logs = { [key: string]: number };
export interface Callbacks {
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
}

export interface FitArgs {
  epochs?: number; batchSize?: number; shuffle?: boolean; validationSplit?: number;
  validationData?: [Data, Data]; callbacks?: Callbacks | Callbacks[]; verbose?: 0 | 1;
  initialEpoch?: number;
  /** Milliseconds of training between yields to the event loop (default 16). */
  yieldEvery?: number;
  /** Image inputs [h, w, c]: random shifts by up to `shift` pixels (zero fill) and left-right
   * flips of each training sample, from the model's seed. Off by default; lasts this call. */
  augment?: { shift?: number; flip?: boolean };
}

export interface History { epoch: number[]; history: { [key: string]: number[] }; params: object }

export interface Evaluation {
  loss: number; accuracy: number; precision: number; recall: number; f1: number;
  mse: number; mae: number; r2: number;
  /** rows = true class, columns = predicted class */
  confusionMatrix: number[][];
  [metric: string]: number | number[][];
}

export interface WeightInfo { name: string; shape: number[]; offset: number; state: boolean }
/** A layer as the core describes it; its config's options are also spread onto it (info.units). */
export interface LayerInfo {
  type: LayerType; className: ClassName; config: { [option: string]: number | boolean | string | number[] };
  outputShape: number[]; numParams: number; paramOffset: number;
  /** Non-trainable values (batchnorm's moving mean and variance) and where they start. */
  numState: number; stateOffset: number;
  /** Its tensors in getWeights() order (Keras names: kernel, bias, gamma, moving_mean, ...). */
  weights: WeightInfo[];
  [option: string]: unknown;
}

export class Sequential {
  constructor(args?: { layers?: LayerConfig[]; seed?: number; name?: string });
  name: string;
  readonly seed: number;
  /** Set to true (e.g. in a callback) to stop fit after the current batch. */
  stopTraining: boolean;
  add(layer: LayerConfig): this;
  compile(args: { optimizer: Optimizer | 'sgd' | 'momentum' | 'adam' | 'rmsprop' | 'adagrad'; loss: LossName;
    metrics?: MetricName[]; fromLogits?: boolean }): this;
  fit(x: Data, y: Data, args?: FitArgs): Promise<History>;
  evaluate(x: Data, y: Data): Evaluation;
  /** n * outputSize values, row-major */
  predict(x: Data): Float32Array;
  /** Every layer's output (inference): per layer n * units values, shape [n, ...outputShape]; the last equals predict(x). */
  predictLayers(x: Data): (Float32Array & { shape: number[] })[];
  /** One step; its loss, or [loss, ...metrics] in compile order when compiled with metrics (Keras). */
  trainOnBatch(x: Data, y: Data, sampleWeight?: Data): number | number[];
  /** TF.js's order and layouts: dense kernel [inputs, units], bias; conv2d kernel [kh, kw, inC, filters],
   * bias; batchNormalization gamma, beta, moving_mean, moving_variance. Names as 'dense_1/kernel'. */
  getWeights(): (Float32Array & { shape: number[]; name: string })[];
  setWeights(weights: Data[]): void;
  summary(printFn?: ((text: string) => void) | null): string;
  /** includeOptimizer false (Keras's include_optimizer): no optimizer state, the smallest file. quantize 'int8':
   * kernels as int8 with per-output-channel scales (~4x smaller, float again on load). Pruned weights are stored sparse. */
  save(options?: { includeOptimizer?: boolean; quantize?: 'int8' }): Uint8Array;
  dispose(): void;
  readonly isDisposed: boolean;
  learningRate: number;
  readonly steps: number;
  /** TF.js's metricsNames: 'loss', then the metrics compile listed, as written (kept by save/loadModel); [] before compile. */
  readonly metricsNames: string[];
  readonly inputSize: number;
  readonly outputSize: number;
  readonly inputShape: number[];
  readonly outputShape: number[];
  /** Each layer's trainable reads and sets its flag (Keras's layer.trainable). Given to a new
   * model (sequential({ layers: [...m.layers.slice(0, -1), head] })), an entry is copied with its
   * weights, state and trainable flag; the models share nothing afterwards. */
  readonly layers: (LayerConfig & LayerInfo & { name: string; trainable: boolean })[];
  /** A layer by name or index (TF.js's getLayer(name?, index?), Keras's get_layer): an entry of layers. */
  getLayer(name: string): Sequential['layers'][number];
  getLayer(name: undefined | null, index: number): Sequential['layers'][number];
  getLayer(index: number): Sequential['layers'][number];
  getLayer(which: { name?: string; index?: number }): Sequential['layers'][number];
  /** Remove the last layer (Keras's Sequential.pop); compile again before training. */
  pop(): void;
  /** false freezes every layer, true unfreezes them; taken when the model is next compiled (Keras's
   * rule: an optimizer compiled before keeps updating what it updated). */
  trainable: boolean;
  layerInfo(i: number): LayerInfo;
  /** Keras-style config: what sequential() takes back. */
  getConfig(): { name: string; layers: { className: ClassName; config: object }[] };
  /** Trainable weights plus batchnorm's moving statistics, as TF.js counts them. */
  countParams(): number;
  /** TF.js's Layers format: the ModelArtifacts tf.io.fromMemory takes (tf.loadLayersModel reads it).
   * trainingConfig carries the compile settings (never the optimizer's state); { trainingConfig: false }
   * leaves them out. Throws, naming the layer and option, for what TF.js/Keras cannot express. */
  toTfjs(options?: { trainingConfig?: boolean }): TfjsArtifacts;
  /** Node: a folder ('dir', 'file://dir', or 'dir/model.json') gets model.json + group1-shard1of1.bin.
   * Browser: 'downloads://name' downloads name.json + name.weights.bin (TF.js's downloads://). */
  saveTfjs(target: string, options?: { trainingConfig?: boolean }):
    Promise<{ files: string[]; modelArtifactsInfo: { dateSaved: Date; modelTopologyType: 'JSON';
      modelTopologyBytes: number; weightSpecsBytes: number; weightDataBytes: number } }>;
  /** The bytes of an ONNX model (ModelProto) for serving: the inference graph, opset 17 unless
   * options.opset (13..21). Input 'input' [batch, ...inputShape] float32 (NHWC images; token ids as
   * floats, as predict takes them), output 'output' [batch, ...outputShape]. Throws, naming the
   * layer and option, for what ONNX cannot express (a maskZero mask reaching a recurrent layer). */
  toONNX(options?: { opset?: number }): Uint8Array;
  /** Node: writes toONNX()'s bytes to a file path ('.onnx' added when it has no extension).
   * Browser: 'downloads://name' downloads name.onnx. */
  saveONNX(target: string, options?: { opset?: number }): Promise<{ files: string[]; bytes: number }>;
}

/** TF.js's io.ModelArtifacts for a Layers model (what tf.io.withSaveHandler receives). */
export interface TfjsArtifacts {
  /** Keras's Sequential config in snake_case: { class_name: 'Sequential', config: { name, layers } }. */
  modelTopology: object;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  /** One per weight, '<layer>/<weight>' (dense_1/kernel), in weightData's order; float32. */
  weightSpecs: { name: string; shape: number[]; dtype: 'float32' }[];
  /** The weights, little-endian float32, concatenated. */
  weightData: ArrayBuffer;
  trainingConfig?: { loss: string; metrics: string[]; optimizer_config: { class_name: string; config: object } };
}

export function sequential(args?: { layers?: LayerConfig[]; seed?: number; name?: string }): Sequential;
/** Models among the layers (Keras's Sequential([generator, discriminator])): a model of models. */
export function sequential(args: { layers: (LayerConfig | Sequential)[]; seed?: number; name?: string }): ModelChain;

/**
 * A model holding models: it runs them on their own weights (shared, not copied) with its own loss
 * and optimizer state, updating the layers that were trainable when it was compiled (Keras's rule,
 * as in the GAN recipe). Plain layers given around the models become models of their own inside.
 */
export class ModelChain {
  name: string;
  compile(args: { optimizer: Optimizer | 'sgd' | 'momentum' | 'adam' | 'rmsprop' | 'adagrad'; loss: LossName;
    metrics?: MetricName[]; fromLogits?: boolean }): this;
  trainOnBatch(x: Data, y: Data, sampleWeight?: Data): number | number[];
  /** Its own learning rate, settable between steps (optimizer state kept). */
  learningRate: number;
  /** 'loss', then the metrics compile listed; [] before compile. */
  readonly metricsNames: string[];
  /** A model's fit (every callback hook, verbose, stopTraining) without augment; seeded shuffle. */
  fit(x: Data, y: Data, args?: Omit<FitArgs, 'augment'>): Promise<History>;
  /** Set true (e.g. in a callback) to stop fit after the current batch. */
  stopTraining: boolean;
  evaluate(x: Data, y: Data): { [name: string]: number };
  predict(x: Data): Float32Array;
  getWeights(): (Float32Array & { shape: number[]; name: string })[];
  setWeights(weights: Data[]): void;
  getConfig(): { name: string; layers: { className: ClassName; config: object }[] };
  /** One model file with every layer once; it loads as a plain model (compile it again). */
  save(): Uint8Array;
  /** As Sequential's, for the one plain model save() writes (every layer in order, names made unique). */
  toTfjs(options?: { trainingConfig?: boolean }): TfjsArtifacts;
  saveTfjs(target: string, options?: { trainingConfig?: boolean }): ReturnType<Sequential['saveTfjs']>;
  toONNX(options?: { opset?: number }): Uint8Array;
  saveONNX(target: string, options?: { opset?: number }): Promise<{ files: string[]; bytes: number }>;
  summary(printFn?: ((text: string) => void) | null): string;
  countParams(): number;
  /** Frees its own memory and the models made from plain layers; the models given stay the caller's. */
  dispose(): void;
  readonly isDisposed: boolean;
  readonly layers: (LayerConfig & LayerInfo & { trainable: boolean })[];
  readonly models: Sequential[];
  trainable: boolean;
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly inputSize: number;
  readonly outputSize: number;
}
/** Rebuild a model (weights, compile settings with their metrics, optimizer state) from save()'s bytes, made here or natively. */
export function loadModel(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Sequential;
/**
 * Knowledge distillation (Hinton et al.; Keras's Distiller example): the student's fit, each step on
 * alpha * CE(y, softmax(s)) + (1 - alpha) * T^2 * KL(softmax(t/T) || softmax(s/T)), run by the core.
 * Compile the student first (its optimizer; sparseCategoricalCrossentropy or categoricalCrossentropy
 * says how y is encoded). Both models end in softmax or a linear layer with the same classes.
 * temperature defaults to 10 and alpha to 0.1 (Keras's example); the rest are fit's options.
 * history.loss is the distillation loss; val_loss the student's own loss.
 */
export function distill(args: FitArgs & { teacher: Sequential; student: Sequential; x: Data; y: Data;
  temperature?: number; alpha?: number }): Promise<History>;
/**
 * A model in TF.js's Layers format (TF.js's model.save, tensorflowjs_converter, or toTfjs): the
 * ModelArtifacts object; a model.json path (Node) or URL, its weight files beside it; or
 * [modelJson, ...weightFiles] as bytes, Blobs/Files or (model.json) text. A trainingConfig, when
 * there, compiles it (unless compile: false); optimizer state is never carried. Throws, naming the
 * layer and option, for what nnplay cannot represent.
 */
export function loadTfjs(source: object | string | (Uint8Array | ArrayBuffer | Blob | string)[],
  options?: { compile?: boolean; seed?: number }): Promise<Sequential>;

export const data: {
  kinds: DatasetKind[];
  generate(kind: DatasetKind, args?: { n?: number; noise?: number; seed?: number; numClasses?: number }):
    { x: Float32Array; y: Float32Array; n: number; numClasses: number; regression: boolean };
  split(x: Float32Array, y: Float32Array, args?: { testFraction?: number; seed?: number; xCols?: number; yCols?: number }):
    { xTrain: Float32Array; yTrain: Float32Array; xTest: Float32Array; yTest: Float32Array };
  oneHot(labels: Data, k: number): Float32Array;
  standardize(x: Float32Array, cols: number, stats?: { mean: Float32Array; std: Float32Array }):
    { mean: Float32Array; std: Float32Array };
  parseCSV(text: string, args?: { header?: boolean | 'auto'; labelColumn?: string | number | null;
    featureColumns?: (string | number)[] | null }):
    { x: Float32Array; y: Float32Array | null; n: number; columns: string[]; featureNames: string[]; labelName: string | null };
};

export interface Tokenizer {
  /** Count the words of these texts (may be called again with more). */
  fitOnTexts(texts: string[]): Tokenizer;
  /** Each text as ids by descending frequency from 1 (words not kept are dropped, or oovToken's id). */
  textsToSequences(texts: string[]): number[][];
  sequencesToTexts(seqs: ArrayLike<number>[]): string[];
  readonly wordIndex: { [word: string]: number };
  readonly wordCounts: { [word: string]: number };
  /** Texts counted by fitOnTexts. */
  readonly documentCount: number;
  /** Keras's to_json (tokenizer_from_json reads it); maxWords keeps only ids below it. */
  toJSON(args?: { maxWords?: number | null }): string;
  /** An embedding's inputDim for these ids. */
  readonly vocabSize: number;
  readonly numWords: number | null;
}
/** Keras's text preprocessing. */
export const text: {
  tokenizer(args?: { numWords?: number | null; oovToken?: string | null; lower?: boolean; filters?: string;
    split?: string; charLevel?: boolean }): Tokenizer;
  /** Keras's tokenizer_from_json: a tokenizer from toJSON's (or Keras's) JSON, string or parsed. */
  tokenizerFromJSON(json: string | object): Tokenizer;
  /** Cut or pad to maxlen ('pre' by default, as Keras): n * maxlen ids with shape [n, maxlen]. */
  padSequences(seqs: ArrayLike<number>[], args?: { maxlen?: number | null; padding?: 'pre' | 'post';
    truncating?: 'pre' | 'post'; value?: number }): Int32Array & { shape: number[] };
  /** The next index from a row of probabilities, with Keras's temperature (0: the most likely). */
  sample(probabilities: ArrayLike<number>, args?: { temperature?: number; random?: () => number }): number;
};

export function info(): { version: string; simd: string; heapBytes: number; heapUsed: number };
