// Type declarations for nnplay's JS API (wasm/nnplay.js). Names follow TensorFlow.js Layers.

export const version: string;

/** Load the wasm module; await it once before anything else. */
export function ready(options?: { wasmBinary?: ArrayBuffer | Uint8Array; locateFile?: (path: string) => string }): Promise<void>;

/** Row-major data: typed arrays, (nested) number arrays, or anything tensor-like with dataSync(). */
export type Data = Float32Array | Float64Array | Int32Array | Uint8Array | number[] | number[][] | number[][][] |
  { shape: number[]; dataSync(): ArrayLike<number> };

export type ActivationName = 'linear' | 'relu' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh' | 'softmax';
export type LossName = 'meanSquaredError' | 'mse' | 'binaryCrossentropy' | 'categoricalCrossentropy' |
  'sparseCategoricalCrossentropy' | 'meanAbsoluteError' | 'mae';
export type MetricName = 'accuracy' | 'acc' | 'precision' | 'recall' | 'f1' | 'mse' | 'mae' | 'r2';
export type InitializerName = 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'zeros' | 'ones';

export type ClassName = 'Dense' | 'Activation' | 'Dropout' | 'Conv2D' | 'MaxPooling2D' | 'AveragePooling2D' |
  'GlobalAveragePooling2D' | 'Flatten' | 'Reshape' | 'BatchNormalization';
export interface LayerConfig { readonly className: ClassName; readonly config: object }
interface CommonLayerArgs { inputShape?: number[]; batchInputShape?: (number | null)[]; inputDim?: number; name?: string }
export interface Regularizer { l1: number; l2: number }

export const layers: {
  dense(args: CommonLayerArgs & { units: number; activation?: ActivationName; useBias?: boolean;
    kernelInitializer?: InitializerName; biasInitializer?: InitializerName; kernelRegularizer?: Regularizer;
    l1?: number; l2?: number; alpha?: number }): LayerConfig;
  activation(args: CommonLayerArgs & { activation: ActivationName; alpha?: number }): LayerConfig;
  dropout(args: CommonLayerArgs & { rate: number }): LayerConfig;
  /** Channels-last 2D convolution; kernel [kh, kw, inChannels, filters] as TF.js. */
  conv2d(args: CommonLayerArgs & { filters: number; kernelSize: number | [number, number];
    strides?: number | [number, number]; padding?: Padding; activation?: ActivationName; useBias?: boolean;
    kernelInitializer?: InitializerName; biasInitializer?: InitializerName; kernelRegularizer?: Regularizer;
    dataFormat?: 'channelsLast'; l1?: number; l2?: number; alpha?: number }): LayerConfig;
  maxPooling2d(args?: CommonLayerArgs & PoolArgs): LayerConfig;
  averagePooling2d(args?: CommonLayerArgs & PoolArgs): LayerConfig;
  maxPool2d(args?: CommonLayerArgs & PoolArgs): LayerConfig;
  avgPool2d(args?: CommonLayerArgs & PoolArgs): LayerConfig;
  globalAveragePooling2d(args?: CommonLayerArgs & { dataFormat?: 'channelsLast' }): LayerConfig;
  globalAvgPool2d(args?: CommonLayerArgs & { dataFormat?: 'channelsLast' }): LayerConfig;
  flatten(args?: CommonLayerArgs & { dataFormat?: 'channelsLast' }): LayerConfig;
  /** One entry of targetShape may be -1 (inferred). */
  reshape(args: CommonLayerArgs & { targetShape: number[] }): LayerConfig;
  /** Over the last axis; momentum 0.99, epsilon 1e-3 by default (TF.js's). */
  batchNormalization(args?: CommonLayerArgs & { axis?: -1; momentum?: number; epsilon?: number }): LayerConfig;
};
export type Padding = 'valid' | 'same';
/** strides default to poolSize (default 2). */
export interface PoolArgs { poolSize?: number | [number, number]; strides?: number | [number, number];
  padding?: Padding; dataFormat?: 'channelsLast' }

export const regularizers: {
  l1(args?: { l1?: number }): Regularizer;
  l2(args?: { l2?: number }): Regularizer;
  l1l2(args?: { l1?: number; l2?: number }): Regularizer;
};

export interface Optimizer { readonly type: 'sgd' | 'adam' | 'rmsprop' | 'adagrad'; readonly lr: number }
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

export interface LayerInfo {
  type: 'dense' | 'activation' | 'dropout' | 'conv2d' | 'maxPooling2d' | 'averagePooling2d' |
    'globalAveragePooling2d' | 'flatten' | 'reshape' | 'batchNormalization';
  className: ClassName; units: number; activation: ActivationName; useBias: boolean;
  outputShape: number[]; numParams: number; paramOffset: number; alpha: number; rate: number; l1: number; l2: number;
  /** Non-trainable values (batchnorm's moving mean and variance) and where they start. */
  numState: number; stateOffset: number;
  /** conv2d and pooling */
  kernelSize?: [number, number]; strides?: [number, number]; padding?: Padding; filters?: number;
  /** batchNormalization */
  momentum?: number; epsilon?: number;
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
  trainOnBatch(x: Data, y: Data): number;
  /** TF.js's order and layouts: dense kernel [inputs, units], bias; conv2d kernel [kh, kw, inC, filters],
   * bias; batchNormalization gamma, beta, movingMean, movingVariance. */
  getWeights(): (Float32Array & { shape: number[] })[];
  setWeights(weights: Data[]): void;
  summary(printFn?: ((text: string) => void) | null): string;
  save(): Uint8Array;
  dispose(): void;
  readonly isDisposed: boolean;
  learningRate: number;
  readonly steps: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly layers: (LayerConfig & LayerInfo)[];
  layerInfo(i: number): LayerInfo;
  /** Trainable weights plus batchnorm's moving statistics, as TF.js counts them. */
  countParams(): number;
}

export function sequential(args?: { layers?: LayerConfig[]; seed?: number; name?: string }): Sequential;
/** Rebuild a model (weights, optimizer state) from save()'s bytes, made here or natively. */
export function loadModel(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Sequential;

export type DatasetKind = 'circle' | 'xor' | 'gauss' | 'spiral' | 'moons' | 'checkerboard' | 'plane' |
  'gaussBumps' | 'blobs' | 'multiSpiral';

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

export function info(): { version: string; simd: string; heapBytes: number; heapUsed: number };
